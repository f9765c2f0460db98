// Strings a GraphQL request gives that cannot be text (a NUL character, a lone UTF-16 surrogate)
// are refused before anything runs, for every argument of every operation: BAD_USER_INPUT naming
// the field, instead of reaching a service or PostgreSQL and failing there. Variables are checked
// when the request's parameters are read (an envelop `onParams` hook); literals in the document by
// a validation rule. The services check their own inputs too (lib/validation.ts `parseInput`), so
// server actions are covered the same way.
import { GraphQLError, Kind, type ASTNode, type ASTVisitor, type ValidationContext } from "graphql";
import { badString, findBadString } from "../validation";

function refused(field: string, reason: string, nodes?: ASTNode[]): GraphQLError {
  return new GraphQLError(`${field}: ${reason}`, {
    nodes,
    extensions: { code: "BAD_USER_INPUT", field, http: { status: 400 } },
  });
}

/** The error for the first variable value that is not text, or null. Fields are named `<variable>.<path>`. */
export function badVariables(variables: unknown): GraphQLError | null {
  if (!variables || typeof variables !== "object") return null;
  const found = findBadString(variables);
  return found ? refused(found.path.join(".") || "variables", found.reason) : null;
}

/** Validation rule: a string literal anywhere in the document (arguments, input objects, lists) that is not text. */
export function textLiteralsRule(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node, _key, parent, _path, ancestors) {
      const reason = badString(node.value);
      if (!reason) return;
      const names: string[] = [];
      for (const ancestor of [...ancestors, parent]) {
        if (!ancestor) continue;
        if (Array.isArray(ancestor) || !("kind" in ancestor)) continue;
        if (ancestor.kind === Kind.ARGUMENT || ancestor.kind === Kind.OBJECT_FIELD) names.push(ancestor.name.value);
      }
      context.reportError(refused(names.join(".") || "document", reason, [node]));
    },
  };
}
