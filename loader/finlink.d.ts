// Types of finlink.js, the script tag that opens the finlink bank-linking widget.
//
//   <script src="https://link.example.com/finlink.js"></script>
//   const { session, error } = await Finlink.collect({ clientSecret, onEvent });
//   // or inside an element of the page:
//   const flow = Finlink.mount(document.getElementById("bank"), { clientSecret, onEvent });
//   const { session, error } = await flow.result;   // flow.destroy() removes it early
//
// The loader opens `https://link.example.com/link/#client_secret=...&host_origin=...` in an
// iframe: a modal over the page (`collect`) or filling an element (`mount`). The widget posts
// `Finlink.Message`s to the host page with the host's origin as the explicit target origin;
// the loader accepts only messages whose `event.origin` is finlink's and whose `event.source`
// is its own iframe, and resolves the promise once.

export {};

declare global {
  interface Window {
    Finlink: Finlink.Loader;
  }
  const Finlink: Finlink.Loader;

  namespace Finlink {
    interface Loader {
      /**
       * Opens the widget in a modal and resolves exactly once: with the session when the
       * person finishes or cancels, or with an error. Never rejects. Calling it while a flow
       * is open resolves at once with the error `flow_already_open`.
       */
      collect(options: CollectOptions): Promise<CollectResult>;
      /**
       * Renders the widget inside `element` (an iframe sized 100% × 100% of it, no backdrop;
       * give the element a height, e.g. 600px) and returns at once. `result` resolves exactly
       * once, as `collect`'s promise does; when the flow ends the iframe is removed from
       * `element`. One flow at a time, whichever way it was opened: while one is open, `mount`
       * and `collect` resolve at once with `flow_already_open`. After the result, either may be
       * called again.
       */
      mount(element: Element, options: CollectOptions): MountedFlow;
      /** The message schema version this loader speaks. */
      readonly version: string;
    }

    /** A flow rendered inside an element of the page by `Finlink.mount`. */
    interface MountedFlow {
      /** Resolves exactly once, never rejects: with the session or an error, as `collect`. */
      readonly result: Promise<CollectResult>;
      /**
       * Removes the iframe and every listener the loader added, at once. If the flow had not
       * ended, `result` resolves with the error `widget_destroyed`. Calling it again, or after
       * the flow ended, does nothing.
       */
      destroy(): void;
    }

    interface CollectOptions {
      /** The `client_secret` of a session your server created with its secret key. */
      clientSecret: string;
      /** Called in real time, as each step happens. Exceptions it throws are reported, not fatal. */
      onEvent?: (event: FinlinkEvent) => void;
    }

    type FinlinkEvent =
      | { name: "open"; metadata: {} }
      | { name: "consent_acquired"; metadata: {} }
      | { name: "search_initiated"; metadata: {} }
      | { name: "institution_selected"; metadata: { institution_id: string; institution_name: string } }
      | { name: "flow_launched_in_browser"; metadata: {} }
      | { name: "institution_authorized"; metadata: {} }
      | { name: "accounts_selected"; metadata: { account_count: number } }
      | { name: "manual_entry_initiated"; metadata: {} }
      | { name: "returning_user_detected"; metadata: {} }
      | { name: "returning_user_verified"; metadata: {} }
      | { name: "success"; metadata: {} }
      | { name: "cancel"; metadata: {} }
      /** `error_code` is null when the API could not be reached. */
      | { name: "error"; metadata: { error_code: string | null } };

    type EventName = FinlinkEvent["name"];

    type CollectResult =
      | { session: Session; error?: undefined }
      | { session?: undefined; error: FinlinkError };

    interface Session {
      /** The session's id (`fcsess_...`); null only if it was closed before the session loaded. */
      id: string | null;
      /** The linked accounts; empty when the person cancelled before linking any. */
      accounts: LinkedAccount[];
    }

    /** An account as the host page may see it: never account or routing numbers. */
    interface LinkedAccount {
      id: string;
      display_name: string;
      institution_name: string;
      category: "cash" | "credit" | "investment" | "other";
      subcategory: "checking" | "savings" | "credit_card" | "line_of_credit" | "mortgage" | "other";
      last4: string;
      status: "active" | "inactive" | "disconnected";
      /**
       * For an account the person entered by hand: its microdeposit verification, pending at
       * first. Send the person `hosted_verification_url` (your server also gets it on the
       * account) so they can confirm the deposits. Null for an account linked at the bank.
       */
      verification: MicrodepositVerification | null;
    }

    /** The microdeposit verification of an account entered by hand. */
    interface MicrodepositVerification {
      /** `pending` until the person confirms the deposits; `failed` for good (see `failure_reason`). */
      status: "pending" | "verified" | "failed";
      /** Two amounts in cents, or one deposit whose description carries a 6-character code. */
      microdeposit_type: "amounts" | "descriptor_code";
      failure_reason: "too_many_attempts" | "expired" | null;
      /** Wrong answers still allowed (3 at first). */
      attempts_remaining: number;
      /** When the deposits are expected on the person's statement (Unix seconds). */
      arrival_date: number;
      /** After this the verification fails as `expired` (Unix seconds). */
      expires_at: number;
      /** The page where the person confirms the deposits; null once no longer pending. */
      hosted_verification_url: string | null;
    }

    interface FinlinkError {
      type:
        | "invalid_request_error"
        | "authentication_error"
        | "rate_limit_error"
        | "idempotency_error"
        | "institution_error"
        | "api_error";
      /**
       * The API's code (`session_expired`, `client_secret_invalid`, ...), `network_error`
       * when finlink could not be reached, or one of the loader's own: `parameter_missing`
       * (no clientSecret), `parameter_invalid` (`mount` without an element),
       * `loader_origin_unknown` (finlink.js not loaded by `<script src>`), `flow_already_open`,
       * `widget_closed` (closed before the widget loaded), `widget_destroyed` (`destroy()`
       * before the flow ended).
       */
      code: string;
      /** For the developer; the person already saw the widget's own explanation. */
      message: string;
    }

    /** What the widget posts to the host page (schema version 1). */
    type Message =
      | { source: "finlink"; version: 1; type: "event"; name: EventName; metadata: Record<string, unknown> }
      | { source: "finlink"; version: 1; type: "result"; session: Session }
      | { source: "finlink"; version: 1; type: "result"; error: FinlinkError }
      /**
       * The bank's window was blocked: the loader sends the whole page to `url` (http(s) only).
       * The bank comes back to the session's `return_url`, where the page calls `collect` or
       * `mount` again with the same clientSecret, and the flow resumes.
       */
      | { source: "finlink"; version: 1; type: "navigate"; url: string };
  }
}
