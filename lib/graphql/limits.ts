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
 * Brackets open at once in a document: `{` selections, `(` arguments, `[` lists and input
 * objects. A real operation within MAX_DEPTH (or introspection) stays far below it; graphql-js's
 * recursive parser overflows its stack at a few thousand, which a 32 KB document can reach.
 */
export const MAX_NESTING = 64;

/**
 * How deep the brackets of a GraphQL document nest, outside strings, block strings and comments.
 * Measured on the text, so a document nested too deeply for the parser is refused before parsing.
 */
export function bracketDepth(source: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "#") {
      while (i < source.length && source[i] !== "\n" && source[i] !== "\r") i++;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        i += 3;
        while (i < source.length && !source.startsWith('"""', i)) i += source.startsWith('\\"""', i) ? 4 : 1;
        i += 2; // onto the last quote of the closing """
      } else {
        i++;
        while (i < source.length && source[i] !== '"' && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1;
      }
    } else if (c === "{" || c === "(" || c === "[") {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === "}" || c === ")" || c === "]") {
      depth--;
    }
  }
  return deepest;
}

/** The error for a document whose brackets nest deeper than MAX_NESTING (as QUERY_TOO_DEEP, 400). */
export function tooDeeplyNested(depth: number): GraphQLError {
  return new GraphQLError(`The GraphQL document nests brackets ${depth} levels deep; the limit is ${MAX_NESTING}`, {
    extensions: { code: "QUERY_TOO_DEEP", http: { status: 400 } },
  });
}

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
