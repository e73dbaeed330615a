// Types of finlink.js, the script tag that opens the finlink bank-linking widget.
//
//   <script src="https://link.example.com/finlink.js"></script>
//   const { session, error } = await Finlink.collect({ clientSecret, onEvent });

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
       * person finishes or cancels, or with an error. Never rejects.
       */
      collect(options: CollectOptions): Promise<CollectResult>;
      readonly version: string;
    }

    interface CollectOptions {
      /** The `client_secret` of a session your server created with its secret key. */
      clientSecret: string;
      /** Called in real time for every step the person takes. */
      onEvent?: (event: FinlinkEvent) => void;
    }

    type EventName =
      | "open"
      | "consent_acquired"
      | "search_initiated"
      | "institution_selected"
      | "flow_launched_in_browser"
      | "institution_authorized"
      | "accounts_selected"
      | "manual_entry_initiated"
      | "success"
      | "cancel"
      | "error";

    interface FinlinkEvent {
      name: EventName;
      /** For example `institution_name`, or `error_code` on `error`. */
      metadata: Record<string, unknown>;
    }

    type CollectResult =
      | { session: Session; error: null }
      | { session: null; error: FinlinkError };

    interface Session {
      id: string;
      /** Empty when the person cancelled. */
      accounts: LinkedAccount[];
    }

    interface LinkedAccount {
      id: string;
      display_name: string;
      institution_name: string;
      category: "cash" | "credit" | "investment" | "other";
      subcategory: "checking" | "savings" | "credit_card" | "line_of_credit" | "mortgage" | "other";
      last4: string;
      status: "active" | "inactive" | "disconnected";
      permissions: Array<"payment_method" | "balances" | "ownership" | "transactions">;
    }

    interface FinlinkError {
      type:
        | "invalid_request_error"
        | "authentication_error"
        | "rate_limit_error"
        | "idempotency_error"
        | "institution_error"
        | "api_error";
      /** For example `session_expired`, or `widget_closed` when the modal was closed early. */
      code: string;
      message: string;
      param: string | null;
    }
  }
}
