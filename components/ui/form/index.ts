export { useServerForm, type SubmitOutcome } from "./use-server-form";
export { placeServerError, fieldCandidates, formFailure, sentence, type PlacedError } from "./server-error";
export { PendingButton } from "./pending-button";
