"use client";
import { useCallback, useEffect, useRef, useState, useTransition } from "react";
import { get, useForm, type DefaultValues, type FieldValues, type Path, type Resolver } from "react-hook-form";
import type { z } from "zod";
import type { ActionResult } from "@/lib/errors";
import { placeServerError } from "./server-error";

/** What a submit returns: an action's result, or nothing (a redirect, or a result handled by the caller). */
export type SubmitOutcome<T> = ActionResult<T> | null | undefined | void;

const UNREACHABLE = "The server could not be reached. Check your connection and try again";

/**
 * The one way a dashboard form works (issue 15 §1): react-hook-form validates with the service's own
 * zod schema in the browser (every field error at once, focus on the first invalid field), then
 * `submit` calls the server action inside a transition. React never resets the form, so every value
 * stays after any error; a server error naming a field is shown beside it and focuses it, any other
 * above the submit button.
 *
 * `submit` gets the values as typed (the service parses, trims and converts them with the same
 * schema) and the form's FormData, for actions that take FormData (hidden inputs included).
 */
/**
 * Where a form's schema comes from: a dynamic import (`() => import("@/lib/x/schemas").then((m) => m.X)`,
 * or an async function building it with `await import("zod")`). zod and the resolver are ~35 kB gzip,
 * so they are kept out of every page's first-load JS (issue 15 §5: ≤ 200 kB) and fetched right after
 * the form mounts, before anyone can submit.
 */
export type SchemaLoader<S> = () => Promise<S>;

const loadResolver = () => import("./zod-client");

export function useServerForm<S extends z.ZodType<unknown, FieldValues>, T = unknown>({
  schema,
  defaultValues,
  submit,
  onSuccess,
  aliases,
}: {
  schema: SchemaLoader<S>;
  defaultValues: DefaultValues<z.input<S>>;
  submit: (values: z.input<S>, form: FormData) => Promise<SubmitOutcome<T>>;
  onSuccess?: (data: T, values: z.input<S>) => void;
  /** A service's field name → the form's, where they differ. */
  aliases?: Record<string, string>;
}) {
  type Values = z.input<S>;
  // The latest loader (a schema may depend on props, e.g. the send form's preview), read when validating.
  const loader = useRef(schema);
  useEffect(() => {
    loader.current = schema;
  });
  useEffect(() => {
    void loadResolver();
    void loader.current();
  }, []);
  const resolver = useCallback<Resolver<Values, unknown, Values>>(async (values, context, options) => {
    const [{ zodResolver }, loaded] = await Promise.all([loadResolver(), loader.current()]);
    // raw: the values as typed reach `submit`; the service applies the schema's transforms itself.
    const resolve = zodResolver(loaded as never, undefined, { raw: true }) as unknown as Resolver<Values, unknown, Values>;
    return resolve(values, context, options);
  }, []);
  const methods = useForm<Values, unknown, Values>({
    resolver,
    defaultValues,
    shouldFocusError: true,
  });
  const [pending, startTransition] = useTransition();
  const [generalError, setGeneralError] = useState<string | undefined>();

  const onSubmit = methods.handleSubmit((values, event) => {
    const target = event?.target;
    const form = typeof HTMLFormElement !== "undefined" && target instanceof HTMLFormElement ? new FormData(target) : new FormData();
    setGeneralError(undefined);
    startTransition(async () => {
      let outcome: SubmitOutcome<T>;
      try {
        outcome = await submit(values, form);
      } catch (err) {
        // Next.js control flow (a redirect) is not an error of the form.
        if (err && typeof err === "object" && "digest" in err && String((err as { digest: unknown }).digest).startsWith("NEXT_")) throw err;
        setGeneralError(UNREACHABLE);
        return;
      }
      if (!outcome) return;
      if (outcome.ok) return onSuccess?.(outcome.data, values);
      const placed = placeServerError(outcome.error, Object.keys(methods.getValues() ?? {}), aliases);
      if (placed.field) {
        const name = placed.field as Path<Values>;
        methods.setError(name, { type: "server", message: placed.message }, { shouldFocus: true });
      } else {
        setGeneralError(placed.message);
      }
    });
  });

  /**
   * The props of a <Field>/<TextAreaField> for `name`: register()'s, its error message, and its
   * current value as defaultValue (what a character counter starts from when the field mounts).
   */
  const field = (name: Path<Values>) => ({
    ...methods.register(name),
    defaultValue: methods.getValues(name) as string | undefined,
    error: (get(methods.formState.errors, name) as { message?: string } | undefined)?.message,
  });

  return { ...methods, onSubmit, pending, generalError, setGeneralError, field };
}
