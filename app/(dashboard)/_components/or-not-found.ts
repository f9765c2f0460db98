import "server-only";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";

/** Awaits a service call, rendering the 404 page when it answers NOT_FOUND (outside the caller's scope). */
export async function orNotFound<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
}
