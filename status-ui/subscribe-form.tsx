import { MessagePage } from './subscriber-pages.js';
import type { PublicDocument } from './layout.js';
import type { Brand } from './view.js';

/**
 * The email subscribe form, on the status page and again on the page that
 * says what was wrong with a submission (`value` what was typed, `errorId` the
 * id of the message saying what is wrong with it). Posts without JavaScript.
 */
export function SubscribeForm(props: { action: string; value?: string; errorId?: string }) {
  return (
    <form class="subscribe" method="post" action={props.action}>
      <label for="email">Email</label>
      <input id="email" name="email" type="email" required autocomplete="email" maxlength={254} value={props.value} aria-invalid={props.errorId ? 'true' : undefined} aria-describedby={props.errorId} />
      <button type="submit">Subscribe</button>
    </form>
  );
}

/** A refused subscription from the form: what was wrong, and the form again with what was typed. */
export function SubscribeAgainPage(props: { brand: Brand; action: string; email: string; error: string }): PublicDocument {
  return MessagePage({
    brand: props.brand,
    title: `Subscribe to ${props.brand.name} status updates`,
    children: (
      <>
        <p class="notice error" role="alert" id="subscribe-error">
          {props.error}
        </p>
        <SubscribeForm action={props.action} value={props.email} errorId="subscribe-error" />
      </>
    ),
  });
}
