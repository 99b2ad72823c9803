import { GraphQLError, type ValidationRule } from "graphql";

/**
 * Introspection is priced by count, not by armor's depth and cost (the standard introspection query that tools send
 * is 15 levels deep and would exceed both): an operation may hold at most this many `__schema`/`__type` fields, so
 * a thousand aliased `__schema` fields are refused however few aliases are allowed.
 */
export const MAX_INTROSPECTION_FIELDS = 2;

export const introspectionCountRule: ValidationRule = (context) => {
  let count = 0;
  return {
    Field(node) {
      if (node.name.value !== "__schema" && node.name.value !== "__type") return;
      count++;
      if (count === MAX_INTROSPECTION_FIELDS + 1) {
        context.reportError(
          new GraphQLError(
            `an operation may hold at most ${MAX_INTROSPECTION_FIELDS} __schema/__type fields`,
            { nodes: [node] },
          ),
        );
      }
    },
  };
};
