/**
 * What a GraphQL document may ask for before anything runs: @escape.tech/graphql-armor (a maintained guard)
 * caps aliases, depth, cost and directives, and hides "Did you mean …" suggestions when introspection is off;
 * graphql-js caps tokens. Introspection fields (__schema, __type) are not free: they count as aliases and are
 * capped per operation (introspection-rule.ts), while depth and cost leave them out so tools' standard
 * introspection query still works.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { ValidationRule } from "graphql";
import type { ApiLimits } from "../config";
import type { ApiContext } from "../context";
import { introspectionCountRule } from "./introspection-rule";

export interface GraphQLGuard {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<ApiContext>[];
  parseOptions: { maxTokens: number };
}

export function graphqlGuard(limits: ApiLimits, introspection: boolean): GraphQLGuard {
  const armor = new ApolloArmor({
    maxAliases: { n: limits.maxAliases, allowList: [] },
    maxDepth: { n: limits.maxQueryDepth, ignoreIntrospection: true, flattenFragments: true },
    costLimit: { maxCost: limits.maxQueryCost, ignoreIntrospection: true },
    maxDirectives: { n: limits.maxDirectives },
    // Armor's token limit throws inside Apollo's parsing hook, which Apollo 5 answers with HTTP 500; graphql-js's
    // own parse option (parseOptions below) rejects the same documents as GRAPHQL_PARSE_FAILED instead.
    maxTokens: { enabled: false },
    // Suggestions name fields a client may not know about; with introspection on, the schema is public anyway.
    blockFieldSuggestion: { enabled: !introspection },
  });
  const protection = armor.protect();
  return {
    validationRules: [...protection.validationRules, introspectionCountRule],
    plugins: protection.plugins as ApolloServerPlugin<ApiContext>[],
    parseOptions: { maxTokens: limits.maxTokens },
  };
}
