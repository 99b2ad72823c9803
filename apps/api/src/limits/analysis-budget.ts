/**
 * Every analysis in an operation counts: `analyzeImage` under 1,000 aliases is 1,000 analyses, not one request.
 * Before any resolver runs, the operation's analyses (each analyzeImage field, each analyzeImages input) are counted
 * against the batch limit and charged to the caller's rate limit (the request itself already counted one).
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { consumeRateLimit, toDatabaseError } from "@moodlens/db";
import { AppError } from "@moodlens/shared";
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import type { ApiContext } from "../context";
import { toGraphQLError } from "../errors";
import { chargeAddress } from "./address-rate-limit";

function listLength(value: ValueNode | undefined, variables: Record<string, unknown>): number {
  if (!value) return 0;
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const bound = variables[value.name.value];
    return Array.isArray(bound) ? bound.length : bound == null ? 0 : 1; // GraphQL coerces a single value to a list of one
  }
  return 1;
}

/** Analyses an operation would run: fragments are followed once each (a cycle is a validation error elsewhere). */
export function countAnalyses(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  if (operation.operation !== "mutation") return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === "analyzeImage" || selection.name.value === "analyzeFrame") total += 1;
        else if (selection.name.value === "analyzeImages")
          total += listLength(selection.arguments?.find((a) => a.name.value === "inputs")?.value, variables);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) total += walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) total += walk(fragment.selectionSet);
      }
    }
    return total;
  };
  return walk(operation.selectionSet);
}

/** Rejects operations with more analyses than MOODLENS_MAX_BATCH and charges each analysis to the rate limit. */
export function analysisBudgetPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, contextValue }) {
          if (!operation) return;
          const count = countAnalyses(document, operation, request.variables ?? {});
          if (count <= 1) return;
          const { runtime, viewer } = contextValue;
          const max = runtime.config.limits.maxBatchSize;
          if (count > max) {
            throw toGraphQLError(
              new AppError(
                "PAYLOAD_TOO_LARGE",
                `one operation may run at most ${max} analyses (this one asks for ${count}, aliases and batch inputs included)`,
                {
                  details: { maxBatchSize: max, received: count },
                  hint: "send fewer images per request, or raise MOODLENS_MAX_BATCH",
                },
              ),
            );
          }
          const extra = count - 1; // the request itself was counted when it was authenticated
          if (contextValue.rateLimit && viewer && viewer.keyId !== "local" && !viewer.userId) {
            let budget;
            try {
              budget = await consumeRateLimit(
                runtime.db.prisma,
                viewer.keyId,
                contextValue.rateLimit.limit,
                new Date(),
                extra,
              );
            } catch (error) {
              throw toGraphQLError(toDatabaseError(error));
            }
            if (!budget.allowed)
              throw toGraphQLError(rateLimited(budget.limit, budget.resetAt, "this API key"));
          } else if (!viewer?.userId && contextValue.clientAddress) {
            const budget = chargeAddress(
              runtime,
              contextValue.clientAddress,
              runtime.config.limits.anonymousRateLimitPerMinute,
              extra,
            );
            if (!budget.allowed)
              throw toGraphQLError(rateLimited(budget.limit, budget.resetAt, "this address"));
          }
        },
      };
    },
  };
}

export function rateLimited(limit: number, resetAt: Date, who: string): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000));
  return new AppError(
    "RATE_LIMITED",
    `rate limit of ${limit} analyses/requests per minute exceeded for ${who}`,
    {
      details: { limit, retryAfterSeconds, resetAt: resetAt.toISOString() },
      hint: `retry after ${retryAfterSeconds} s`,
    },
  );
}
