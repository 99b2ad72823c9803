"use server";

import { revalidatePath } from "next/cache";
import { promoteModel } from "@/lib/api/experiments";
import { ApiError, describeApiError, type ApiErrorInfo } from "@/lib/graphql";

export type PromoteState =
  | { status: "idle" }
  | { status: "done"; version: string }
  | { status: "error"; version: string; error: ApiErrorInfo };

/** Promotes a model version through the API (admin scope). A FORBIDDEN answer is explained, not thrown. */
export async function promoteModelAction(_previous: PromoteState, formData: FormData): Promise<PromoteState> {
  const version = String(formData.get("version") ?? "").trim();
  if (!version) {
    return { status: "error", version, error: { code: "BAD_USER_INPUT", title: "No version given", message: "Choose a model version to promote." } };
  }
  try {
    await promoteModel(version);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError("INTERNAL", error instanceof Error ? error.message : String(error));
    const info = describeApiError(apiError);
    if (apiError.code === "FORBIDDEN") {
      info.title = "Only an admin can promote a model";
      info.hint =
        "The dashboard's API key (MOODLENS_DASHBOARD_API_KEY) lacks the admin scope. Ask an operator to promote it, or configure a key created with --scopes ...,admin.";
    }
    return { status: "error", version, error: info };
  }
  revalidatePath("/models");
  return { status: "done", version };
}
