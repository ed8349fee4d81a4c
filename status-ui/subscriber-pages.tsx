import type { Child } from 'hono/jsx';
import { homeOf, publicDocument, type PublicDocument } from './layout.js';
import type { Brand, ManageView } from './view.js';

/**
 * The pages a subscriber reaches from the status page's form and from the
 * links in their mail: "check your inbox", confirmed, unsubscribe, and the
 * manage form. Same frame and design as the status page; no script at all.
 */
export function MessagePage(props: { brand: Brand; title: string; children: Child }): PublicDocument {
  return publicDocument({
    brand: props.brand,
    title: `${props.title} · ${props.brand.name} status`,
    children: (
      <>
        <h1>{props.title}</h1>
        {props.children}
        <p>
          <a href={homeOf(props.brand)}>Back to the {props.brand.name} status page</a>
        </p>
      </>
    ),
  });
}

/** Asks before unsubscribing: a link scanner may fetch the mail's link, only the button acts. */
export function UnsubscribePage(props: { brand: Brand; action: string }): PublicDocument {
  return MessagePage({
    brand: props.brand,
    title: 'Unsubscribe?',
    children: (
      <form method="post" action={props.action}>
        <p>You will get no more {props.brand.name} status updates by email.</p>
        <button type="submit">Unsubscribe from status updates</button>
      </form>
    ),
  });
}

/**
 * The manage form: everything on the page, or only the components ticked
 * (a radio pair, so it works without JavaScript); and a separate button to
 * unsubscribe. Both post back to the manage link.
 */
export function ManagePage(props: { view: ManageView }): PublicDocument {
  const v = props.view;
  return publicDocument({
    brand: v.brand,
    title: `Your subscription · ${v.brand.name} status`,
    children: (
      <>
        <h1>Your {v.brand.name} status subscription</h1>
        {v.notice ? (
          <p class="notice" role="status">
            {v.notice}
          </p>
        ) : null}
        <p>
          Updates go to <strong>{v.email}</strong>
          {v.unsubscribed ? ', which is unsubscribed: it gets nothing until it subscribes again on the status page.' : v.confirmed ? '.' : ', once the address is confirmed (see the confirmation mail).'}
        </p>
        {v.unsubscribed ? null : (
          <>
            <form method="post" action={v.action}>
              <fieldset>
                <legend>What do you want to hear about?</legend>
                <label class="choice">
                  <input type="radio" name="scope" value="all" checked={v.all} /> Everything on this page
                </label>
                <label class="choice">
                  <input type="radio" name="scope" value="some" checked={!v.all} /> Only the components ticked below
                </label>
                {v.choices.map((c) => (
                  <label class={`choice${c.group ? ' member' : ''}`}>
                    <input type="checkbox" name="components" value={c.id} checked={c.checked} /> {c.group ? `${c.group}: ${c.name}` : c.name}
                  </label>
                ))}
              </fieldset>
              <button type="submit">Save</button>
            </form>
            <form method="post" action={v.action}>
              <input type="hidden" name="unsubscribe" value="1" />
              <h2>Stop all updates</h2>
              <button type="submit" class="quiet">
                Unsubscribe
              </button>
            </form>
          </>
        )}
        <p>
          <a href={homeOf(v.brand)}>Back to the {v.brand.name} status page</a>
        </p>
      </>
    ),
  });
}
