import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** Assumed size of list fields without a `first` argument: enough to price nested lists realistically. */
const LIST_SIZE_ESTIMATES: Record<string, number> = {
  faces: 8,
  emotions: 7,
  counts: 7,
  buckets: 31,
  epochs: 50,
  runs: 50,
  evaluations: 3,
  landmarks: 5,
  results: 16,
};
const DEFAULT_LIST_SIZE = 10;
/** Lists of a cursor connection: as long as the connection's `first`. */
const CONNECTION_LISTS = new Set(["edges", "nodes"]);

/** The `first` argument of a field, when given (literal or variable). */
function firstArgument(field: FieldNode, variables: Record<string, unknown>): number | undefined {
  const first = field.arguments?.find((argument) => argument.name.value === "first");
  if (first?.value.kind === Kind.INT) return Number(first.value.value);
  if (first?.value.kind === Kind.VARIABLE) {
    const value = variables[first.value.name.value];
    if (typeof value === "number") return value;
  }
  return undefined;
}

/**
 * Estimated cost of an operation: every field costs 1, and a list multiplies what is selected inside it by its
 * (requested or estimated) size. Cheap to compute and good enough to stop `analyses(first: 100) { faces { ... } }`
 * nested through runs and experiments from turning into a denial of service.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  // `pageSize`: the `first` of an enclosing connection field, which sizes its edges/nodes lists.
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, depth: number, pageSize?: number): number => {
    if (depth > 50) return 0; // cycles are rejected by validation; this only guards the recursion itself
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith("__")) continue;
        const fieldDef = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
        const childType = fieldDef ? getNamedType(fieldDef.type) : undefined;
        const isList = fieldDef ? isListType(getNullableType(fieldDef.type)) : false;
        const first = firstArgument(selection, variables);
        const size = isList ? (first ?? (CONNECTION_LISTS.has(name) ? pageSize : undefined) ?? LIST_SIZE_ESTIMATES[name] ?? DEFAULT_LIST_SIZE) : 1;
        const inner = selection.selectionSet ? walk(selection.selectionSet, childType, depth + 1, isList ? undefined : first) : 0;
        total += 1 + size * inner;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeCondition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += walk(selection.selectionSet, typeCondition ?? undefined, depth + 1, pageSize);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) total += walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined, depth + 1, pageSize);
      }
    }
    return total;
  };

  const root =
    operation.operation === "mutation" ? schema.getMutationType() : operation.operation === "subscription" ? schema.getSubscriptionType() : schema.getQueryType();
  return walk(operation.selectionSet, root ?? undefined, 0);
}

export function assertCostWithin(cost: number, maxCost: number): void {
  if (cost > maxCost) {
    throw new GraphQLError(`query cost ${cost} exceeds the limit of ${maxCost}; request fewer items (first) or fewer nested lists`, {
      extensions: { code: "GRAPHQL_VALIDATION_FAILED", cost, maxCost, http: { status: 400 } },
    });
  }
}
