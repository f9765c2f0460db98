import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";

export const MAX_DOCUMENT_BYTES = 32 * 1024;
export const MAX_DEPTH = 12;
/** Introspection is exempt from MAX_DEPTH (the standard query is 15 deep) but capped here. */
export const MAX_INTROSPECTION_DEPTH = 20;
/** Whole request body (document + variables). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Rejects operations nested deeper than `max` fields. Introspection (`__schema`, `__type`) is
 * exempt so GraphiQL and codegen tools keep working, but every document, introspection included,
 * is capped at MAX_INTROSPECTION_DEPTH (the introspection types refer to each other, so an
 * uncapped nesting would grow exponentially).
 */
export function depthLimitRule(max: number, maxWithIntrospection = MAX_INTROSPECTION_DEPTH) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>, countIntrospection: boolean): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (!countIntrospection && sel.name.value.startsWith("__")) continue;
          deepest = Math.max(deepest, 1 + depthOf(sel.selectionSet, seen, countIntrospection));
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(sel.selectionSet, seen, countIntrospection));
        } else {
          const name = sel.name.value;
          const fragment = fragments.get(name);
          if (!fragment || seen.has(name)) continue;
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...seen, name]), countIntrospection));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const total = depthOf(node.selectionSet, new Set(), true);
        const depth = total > maxWithIntrospection ? total : depthOf(node.selectionSet, new Set(), false);
        if (total > maxWithIntrospection || depth > max) {
          context.reportError(
            new GraphQLError(`Query is nested ${depth} levels deep; the limit is ${total > maxWithIntrospection ? maxWithIntrospection : max}`, {
              nodes: [node],
              extensions: { code: "QUERY_TOO_DEEP" },
            }),
          );
        }
      },
    };
  };
}
