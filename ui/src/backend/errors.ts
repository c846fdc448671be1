// What a command rejected with, read: the typed failure every command answers (`AppError`: a stable code,
// the message and the fix), or anything else the bridge may throw.
import type { AppError, ErrorCode } from "./bindings";

function isAppError(error: unknown): error is AppError {
  return typeof error === "object" && error !== null && "code" in error && "message" in error;
}

/** A readable message from whatever a command rejected with: the message, then the fix when there is one. */
export function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (isAppError(error)) return error.fix ? `${error.message}; ${error.fix}` : error.message;
  if (error instanceof Error) return error.message;
  return JSON.stringify(error);
}

/** The stable code of a command's failure, or null for anything else (a string, a bridge error). */
export function errorCode(error: unknown): ErrorCode | null {
  return isAppError(error) ? error.code : null;
}
