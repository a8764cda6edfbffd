/**
 * Bad input found by a use-case (not by a route schema): answered 400 with the field at fault by
 * every HTTP context, printed with the field by the CLI.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly field: string,
    /** 400 for malformed input; 409 when the input conflicts with what exists. */
    readonly status: 400 | 409 = 400,
  ) {
    super(message);
  }
}
