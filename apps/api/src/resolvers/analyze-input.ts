import type { AnalyzeImageInput } from "../generated/graphql";
import { decodeImageArgument } from "../limits/image-input";
import type { AnalyzeRequest } from "../services/analysis";

/** The GraphQL edge of an analysis: the base64 `image` argument is decoded here, once; the service sees bytes. */
export function requestFromInput(input: AnalyzeImageInput, maxImageBytes: number): AnalyzeRequest {
  const { image, ...options } = input;
  return { ...options, bytes: decodeImageArgument(image, maxImageBytes).bytes };
}
