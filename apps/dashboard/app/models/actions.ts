"use server";

import { revalidatePath } from "next/cache";
import { promoteModel } from "@/lib/api/experiments";
import { permissionFor } from "@/lib/auth/session";
import { ApiError, describeApiError, type ApiErrorInfo } from "@/lib/graphql";

export type PromoteState =
  | { status: "idle" }
  | { status: "done"; version: string }
  | { status: "error"; version: string; error: ApiErrorInfo };

const ONLY_ADMINS = "Only an admin can promote a model";
const ASK_AN_ADMIN = "Ask an admin to promote it, or to give you the admin role (npm run users -- set-role --email … --role admin).";

/**
 * Promotes a model version through the API as the signed-in user (admin role). The role is checked here first
 * (a server action is reachable by a direct POST too) and again by the API; a refusal is explained, not thrown.
 */
export async function promoteModelAction(_previous: PromoteState, formData: FormData): Promise<PromoteState> {
  const version = String(formData.get("version") ?? "").trim();
  const permission = await permissionFor("admin");
  if (!permission.ok) {
    const signedOut = permission.code === "UNAUTHENTICATED";
    return {
      status: "error",
      version,
      error: signedOut
        ? { code: "UNAUTHENTICATED", title: "Please sign in again", message: "Your session has ended.", hint: "Sign in (/sign-in) and retry." }
        : { code: "FORBIDDEN", title: ONLY_ADMINS, message: `Your role (${permission.user?.role}) may not promote models.`, hint: ASK_AN_ADMIN },
    };
  }
  if (!version) {
    return { status: "error", version, error: { code: "BAD_USER_INPUT", title: "No version given", message: "Choose a model version to promote." } };
  }
  try {
    await promoteModel(version);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError("INTERNAL", error instanceof Error ? error.message : String(error));
    const info = describeApiError(apiError);
    if (apiError.code === "FORBIDDEN") {
      info.title = ONLY_ADMINS;
      info.hint = ASK_AN_ADMIN;
    }
    return { status: "error", version, error: info };
  }
  revalidatePath("/models");
  return { status: "done", version };
}
