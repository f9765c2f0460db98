import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  isUnionType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type ArgumentNode,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
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
 *
 * A fragment's depth is computed once per document (memoised by name), however many times it is
 * spread: a chain of fragments each spreading the next twice would otherwise cost 2^n walks.
 */
export function depthLimitRule(max: number, maxWithIntrospection = MAX_INTROSPECTION_DEPTH) {
  return asRule((_schema, fragments) => depthChecker(fragments, max, maxWithIntrospection));
}

function depthChecker(fragments: Fragments, max: number, maxWithIntrospection: number): Checker {
  // Per fragment name: its depth counting introspection fields, and without them.
  const memo = [new Map<string, number>(), new Map<string, number>()];
  const inProgress = new Set<string>();
  const depthOf = (set: SelectionSetNode | undefined, countIntrospection: boolean): number => {
    if (!set) return 0;
    let deepest = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (!countIntrospection && sel.name.value.startsWith("__")) continue;
        deepest = Math.max(deepest, 1 + depthOf(sel.selectionSet, countIntrospection));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(sel.selectionSet, countIntrospection));
      } else {
        deepest = Math.max(deepest, fragmentDepth(sel.name.value, countIntrospection));
      }
    }
    return deepest;
  };
  const fragmentDepth = (name: string, countIntrospection: boolean): number => {
    const cache = memo[countIntrospection ? 0 : 1];
    const known = cache.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Unknown fragments and cycles are other rules' errors (KnownFragmentNames, NoFragmentCycles).
    if (!fragment || inProgress.has(name)) return 0;
    inProgress.add(name);
    const depth = depthOf(fragment.selectionSet, countIntrospection);
    inProgress.delete(name);
    cache.set(name, depth);
    return depth;
  };
  return (node) => {
    const total = depthOf(node.selectionSet, true);
    const depth = total > maxWithIntrospection ? total : depthOf(node.selectionSet, false);
    if (total <= maxWithIntrospection && depth <= max) return undefined;
    return new GraphQLError(`Query is nested ${depth} levels deep; the limit is ${total > maxWithIntrospection ? maxWithIntrospection : max}`, {
      nodes: [node],
      extensions: { code: "QUERY_TOO_DEEP" },
    });
  };
}

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;
/** Checks one operation of a document: its error, if any. */
type Checker = (operation: OperationDefinitionNode) => GraphQLError | undefined;
/** A limit: a checker for a document's operations (its fragments given, memoised per document). */
type Limit = (schema: GraphQLSchema, fragments: Fragments) => Checker;
const limits = new WeakMap<(context: ValidationContext) => ASTVisitor, Limit>();

/** The fragment definitions of a document, by name. */
function fragmentsOf(document: DocumentNode): Fragments {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  return fragments;
}

/** A limit as a validation rule (it only looks at operations, and does not descend into them). */
function asRule(limit: Limit): (context: ValidationContext) => ASTVisitor {
  const rule = (context: ValidationContext): ASTVisitor => {
    const check = limit(context.getSchema(), fragmentsOf(context.getDocument()));
    return {
      OperationDefinition(node) {
        const error = check(node);
        if (error) context.reportError(error);
        return false;
      },
    };
  };
  limits.set(rule, limit);
  return rule;
}

// ---------------------------------------------------------------------------------------------
// Cost

/**
 * The most work one operation may ask for, in cost units (see costLimitRule). The API's largest
 * page (100 rows) of every transaction field costs about 3 100, so three of those fit; the seed
 * documents cost tens.
 */
export const MAX_COST = 10_000;
/**
 * The same for introspection fields (`__schema`, `__type` and what is below them), which are
 * answered from memory but whose types refer to each other. The standard introspection query
 * (GraphiQL, codegen) costs about 12 300 on this schema (12 700 with every option), for about
 * 8 400 values answered.
 */
export const MAX_INTROSPECTION_COST = 50_000;
/** Mutation operations (create_receive, delete, …) one document may run, aliases included. */
export const MAX_MUTATION_OPERATIONS = 10;
/** Rows a list is taken to have when nothing bounds it: the API's default page size. */
export const DEFAULT_LIST_SIZE = 20;
/** Rows a paged list is taken to have when its limit is a variable: the API's largest page. */
export const MAX_PAGE_SIZE = 100;
/**
 * Fields of one response name in one selection set (`id` spread from several fragments, `a: x`
 * aliases): graphql-js compares them pairwise (OverlappingFieldsCanBeMerged), so thousands of
 * them cost it 100 ms before its own budget stops it. Real documents repeat a name a few times.
 */
export const MAX_REPEATED_FIELD = 50;
/** The cost of a field that takes arguments or returns a list of objects: a lookup, not a property. */
export const LOOKUP_COST = 10;

const CAP = Number.MAX_SAFE_INTEGER;

/**
 * What an operation (or a part of it) asks for: its costs, the mutation operations it runs, and
 * the most fields of one response name in one selection set (`repeated`, fragments merged).
 */
export type Cost = { fields: number; introspection: number; mutations: number; repeated: number };
const ZERO: Cost = { fields: 0, introspection: 0, mutations: 0, repeated: 0 };

function addTo(total: Cost, part: Cost, times = 1): void {
  total.fields = Math.min(CAP, total.fields + part.fields * times);
  total.introspection = Math.min(CAP, total.introspection + part.introspection * times);
  total.mutations = Math.min(CAP, total.mutations + part.mutations * times);
  total.repeated = Math.max(total.repeated, part.repeated);
}

/**
 * What the cost rule needs of a schema, computed once per schema. Introspection lists are sized
 * from the schema itself: a list reached from `__schema { types }` has its average length there
 * (times the number of types, that is every type's own, exactly), any other its longest.
 */
type SchemaFacts = {
  types: number;
  directives: number;
  /** Longest, and average over the types (or fields) enumerated by `__schema { types }`. */
  longest: Record<IntrospectionList, number>;
  average: Record<IntrospectionList, number>;
  /** The most list / non-null wrappers around a field's or argument's type: `ofType` deeper is null. */
  wrappers: number;
  /** Types whose fields are mutation operations or lead to them: Mutation, PaymentMutations, … */
  mutationNamespaces: Set<string>;
};
type IntrospectionList = "fields" | "interfaces" | "possibleTypes" | "enumValues" | "inputFields" | "args";
const schemaFacts = new WeakMap<GraphQLSchema, SchemaFacts>();

function factsOf(schema: GraphQLSchema): SchemaFacts {
  const known = schemaFacts.get(schema);
  if (known) return known;
  const types = Object.values(schema.getTypeMap());
  const longest: Record<IntrospectionList, number> = { fields: 0, interfaces: 0, possibleTypes: 0, enumValues: 0, inputFields: 0, args: 0 };
  const sum: Record<IntrospectionList, number> = { ...longest };
  const count = (list: IntrospectionList, length: number) => {
    longest[list] = Math.max(longest[list], length);
    sum[list] += length;
  };
  let wrappers = 0;
  const wrapped = (type: GraphQLInputType | GraphQLOutputType) => {
    let depth = 0;
    for (let t: GraphQLType = type; "ofType" in t; t = t.ofType) depth++;
    wrappers = Math.max(wrappers, depth);
  };
  for (const type of types) {
    if (isObjectType(type) || isInterfaceType(type)) {
      const own = Object.values(type.getFields());
      count("fields", own.length);
      for (const field of own) {
        count("args", field.args.length);
        wrapped(field.type);
        for (const arg of field.args) wrapped(arg.type);
      }
      count("interfaces", type.getInterfaces().length);
    }
    if (isInterfaceType(type) || isUnionType(type)) count("possibleTypes", schema.getPossibleTypes(type).length);
    if (isEnumType(type)) count("enumValues", type.getValues().length);
    if (isInputObjectType(type)) {
      const own = Object.values(type.getFields());
      count("inputFields", own.length);
      for (const field of own) wrapped(field.type);
    }
  }
  for (const directive of schema.getDirectives()) {
    longest.args = Math.max(longest.args, directive.args.length);
    for (const arg of directive.args) wrapped(arg.type);
  }
  const average = { ...sum };
  for (const list of Object.keys(average) as IntrospectionList[]) average[list] = sum[list] / (list === "args" ? Math.max(1, sum.fields) : types.length);
  // The mutation root, and the object types reached from it through fields without arguments.
  const mutationNamespaces = new Set<string>();
  const pending = [schema.getMutationType()];
  for (let type = pending.pop(); type; type = pending.pop()) {
    if (mutationNamespaces.has(type.name)) continue;
    mutationNamespaces.add(type.name);
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (field.args.length === 0 && isObjectType(named)) pending.push(named);
    }
  }
  const facts = { types: types.length, directives: schema.getDirectives().length, longest, average, wrappers, mutationNamespaces };
  schemaFacts.set(schema, facts);
  return facts;
}

/**
 * Where an introspection selection is, for sizing its lists: "all" a type listed by
 * `__schema { types }`, "allField" a field or input field of one, `ref<k>` a field's type with k
 * wrappers (`ofType`) left at most, "" anything else (the longest lists).
 */
type IntrospectionPlace = "" | "all" | "allField" | `ref${number}`;

/** How many of an introspection list's elements a field asks for, and where its selection then is. */
function introspectionList(facts: SchemaFacts, parent: string | undefined, field: string, place: IntrospectionPlace): [number, IntrospectionPlace] {
  if (parent === "__Schema") return field === "types" ? [facts.types, "all"] : field === "directives" ? [facts.directives, ""] : [1, ""];
  if (field in facts.longest) {
    const list = field as IntrospectionList;
    const fromAll = (list === "args" ? place === "allField" : place === "all");
    const next: IntrospectionPlace = list === "interfaces" || list === "possibleTypes" ? "ref0" : place === "all" ? "allField" : "";
    return [fromAll ? facts.average[list] : facts.longest[list], next];
  }
  return [1, ""];
}

/** Whether an input type has a `limit` field, at its top or in a `page` field (PageInput). */
function hasLimit(type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return false;
  const fields = named.getFields();
  if (fields.limit) return true;
  const page = fields.page && getNamedType(fields.page.type);
  return page !== undefined && isInputObjectType(page) && page.getFields().limit !== undefined;
}

/**
 * The rows a paged field (one taking `limit`, `page: { limit }` or `input: { page: { limit } }`,
 * as find_many and transaction_list do) asks for: its literal limit, MAX_PAGE_SIZE when the limit
 * comes from a variable (it is validated later, against MAX_PAGE_SIZE), DEFAULT_LIST_SIZE when
 * absent. Undefined for a field that is not paged.
 */
function pageSize(field: GraphQLField<unknown, unknown>, nodes: readonly ArgumentNode[] | undefined): number | undefined {
  const paged = field.args.filter((arg) => arg.name === "limit" || arg.name === "page" || hasLimit(arg.type));
  if (paged.length === 0) return undefined;
  let size: number | undefined;
  const take = (value: number) => (size = Math.max(size ?? 0, value));
  for (const arg of paged) {
    const node = nodes?.find((n) => n.name.value === arg.name);
    if (!node) continue;
    // input: { page: { limit } } → page: { limit } → limit
    let value = node.value;
    for (const key of arg.name === "limit" ? [] : arg.name === "page" ? ["limit"] : ["page", "limit"]) {
      if (value.kind !== Kind.OBJECT) break;
      const next = value.fields.find((f) => f.name.value === key)?.value;
      if (!next) break;
      value = next;
    }
    if (value.kind === Kind.VARIABLE) take(MAX_PAGE_SIZE);
    else if (value.kind === Kind.INT || value.kind === Kind.FLOAT) take(Math.max(1, Math.ceil(Math.min(CAP, Number(value.value)))));
  }
  return size ?? DEFAULT_LIST_SIZE;
}

/** The error for an over-limit operation (400, like the other limits). */
function tooComplex(message: string, node: ASTNode): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { code: "QUERY_TOO_COMPLEX", http: { status: 400 } } });
}

/**
 * The cost of an operation (see costLimitRule), with `fragments` its document's: linear in the
 * document, each fragment being walked once per page size in effect where it is spread.
 */
export function operationCost(schema: GraphQLSchema, fragments: Fragments, operation: OperationDefinitionNode): Cost {
  return costCounter(schema, fragments)(operation);
}

function costCounter(schema: GraphQLSchema, fragments: Fragments): (operation: OperationDefinitionNode) => Cost {
  const facts = factsOf(schema);
  const memo = new Map<string, Cost>();
  const inProgress = new Set<string>();

  const fieldDef = (parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined => {
    if (parent && parent === schema.getQueryType()) {
      if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
      if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    }
    return parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
  };

  // The response names of a selection set's own level (fragments merged in), with their counts.
  const namesMemo = new Map<string, Map<string, number>>();
  const namesInProgress = new Set<string>();
  const namesOf = (set: SelectionSetNode, into = new Map<string, number>(), times = 1): Map<string, number> => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = (sel.alias ?? sel.name).value;
        into.set(name, Math.min(CAP, (into.get(name) ?? 0) + times));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        namesOf(sel.selectionSet, into, times);
      } else {
        const name = sel.name.value;
        let names = namesMemo.get(name);
        const fragment = fragments.get(name);
        if (!names && fragment && !namesInProgress.has(name)) {
          namesInProgress.add(name);
          names = namesOf(fragment.selectionSet);
          namesInProgress.delete(name);
          namesMemo.set(name, names);
        }
        for (const [field, count] of names ?? []) into.set(field, Math.min(CAP, (into.get(field) ?? 0) + count * times));
      }
    }
    return into;
  };

  /**
   * `rows`: the page size a paged field above set for the next list down; `place`: where an
   * introspection selection is (IntrospectionPlace).
   */
  const costOf = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, rows: number | undefined, place: IntrospectionPlace): Cost => {
    const total = { ...ZERO };
    for (const count of namesOf(set).values()) total.repeated = Math.max(total.repeated, count);
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        if (name === "__typename") {
          total.fields += 1;
          continue;
        }
        const def = fieldDef(parent, name);
        const type = def && getNullableType(def.type);
        const list = type !== undefined && isListType(type);
        const named = def && getNamedType(def.type);
        if (name.startsWith("__") || (parent?.name.startsWith("__") ?? false)) {
          // Introspection: answered from memory, sized from the schema.
          total.introspection += 1;
          if (!sel.selectionSet) continue;
          let times = 1;
          let next: IntrospectionPlace = "";
          if (list) [times, next] = introspectionList(facts, parent?.name, name, place);
          else if (name === "type") next = `ref${facts.wrappers}`;
          else if (name === "ofType") {
            const left = place.startsWith("ref") ? Number(place.slice(3)) : 0;
            if (left === 0) continue; // a named type's ofType is null
            next = `ref${left - 1}`;
          }
          addTo(total, costOf(sel.selectionSet, named, undefined, next), times);
          continue;
        }
        const lookup = def !== undefined && (def.args.length > 0 || (list && !isLeafType(named)));
        total.fields += lookup ? LOOKUP_COST : 1;
        if (def && parent && facts.mutationNamespaces.has(parent.name)) {
          if (def.args.length > 0 || (isLeafType(named) && name !== "id")) total.mutations += 1;
        }
        if (!sel.selectionSet) continue;
        const times = list ? (rows ?? DEFAULT_LIST_SIZE) : 1;
        const below = list ? undefined : def ? (pageSize(def, sel.arguments) ?? rows) : rows;
        addTo(total, costOf(sel.selectionSet, named, below, ""), times);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        addTo(total, costOf(sel.selectionSet, type, rows, place));
      } else {
        addTo(total, fragmentCost(sel.name.value, rows, place));
      }
    }
    return total;
  };

  const fragmentCost = (name: string, rows: number | undefined, place: IntrospectionPlace): Cost => {
    const key = `${name}\u0000${rows ?? ""}\u0000${place}`;
    const known = memo.get(key);
    if (known) return known;
    const fragment = fragments.get(name);
    // Unknown fragments and cycles are other rules' errors (KnownFragmentNames, NoFragmentCycles).
    if (!fragment || inProgress.has(key)) return ZERO;
    inProgress.add(key);
    const cost = costOf(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), rows, place);
    inProgress.delete(key);
    memo.set(key, cost);
    return cost;
  };

  return (operation) => {
    const root = operation.operation === "mutation" ? schema.getMutationType() : operation.operation === "subscription" ? schema.getSubscriptionType() : schema.getQueryType();
    return costOf(operation.selectionSet, root ?? undefined, undefined, "");
  };
}

/**
 * What an operation may ask for, refused before anything runs (QUERY_TOO_COMPLEX, 400):
 * - its cost, at most `maxCost`: every field counts 1, and a lookup (a field taking arguments, or
 *   a list of objects) LOOKUP_COST; what is below a list counts once per row it may return (a
 *   paged list its requested page size, any other DEFAULT_LIST_SIZE); aliases count as fields
 *   of their own, fragments as if written out;
 * - introspection's cost, counted the same way with this schema's longest lists, at most
 *   `maxIntrospectionCost`;
 * - at most `maxMutations` mutation operations (`create_receive`, `delete`, …: a field taking
 *   arguments on a mutation namespace type), aliases and fragments included;
 * - at most `maxRepeated` fields of one response name in a selection set (MAX_REPEATED_FIELD).
 * A fragment's cost is computed once (per page size in effect where it is spread) and multiplied
 * by its uses, so the rule's own work is linear in the document whatever its shape.
 */
export function costLimitRule(maxCost = MAX_COST, maxIntrospectionCost = MAX_INTROSPECTION_COST, maxMutations = MAX_MUTATION_OPERATIONS, maxRepeated = MAX_REPEATED_FIELD) {
  return asRule((schema, fragments) => {
    const costOf = costCounter(schema, fragments);
    return (node) => {
      const cost = costOf(node);
      if (cost.mutations > maxMutations) return tooComplex(`This operation runs ${cost.mutations} mutations (aliases count); the limit is ${maxMutations} per request`, node);
      if (cost.fields > maxCost) return tooComplex(`Query cost ${Math.ceil(cost.fields)} (fields with fragments expanded, times the rows of the lists they are in); the limit is ${maxCost}`, node);
      if (cost.repeated > maxRepeated) return tooComplex(`A selection asks for one field ${cost.repeated} times (aliases and fragments count); the limit is ${maxRepeated}`, node);
      if (cost.introspection > maxIntrospectionCost) return tooComplex(`Introspection cost ${Math.ceil(cost.introspection)}; the limit is ${maxIntrospectionCost}`, node);
      return undefined;
    };
  });
}

/** The limits of this file as validation rules. */
export const LIMIT_RULES = [depthLimitRule(MAX_DEPTH), costLimitRule()];

/**
 * The limit errors of a parsed document (QUERY_TOO_DEEP, QUERY_TOO_COMPLEX), checked on their own
 * before graphql-js's rules, some of which are quadratic in the document: an over-limit document
 * is refused in one linear walk, without them (and without graphql-js's visitor). Both paths of /graphql (graphql-yoga's
 * lib/graphql/server.ts and lib/graphql/direct.ts) call this.
 */
export function limitErrors(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
  // The checkers themselves, without graphql-js's visitor and its TypeInfo: they need neither.
  const fragments = fragmentsOf(document);
  const checks = LIMIT_RULES.map((rule) => limits.get(rule)!(schema, fragments));
  const errors: GraphQLError[] = [];
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const check of checks) {
      const error = check(def);
      if (error) errors.push(error);
    }
  }
  return errors;
}
