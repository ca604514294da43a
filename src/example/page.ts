// The example's one page, as a user's own site would have it: sign up, then the Payment Element
// mounted with the client secret the server returned, then confirm. Against real Stripe only the
// publishable key and the script URL (https://js.stripe.com/v3/) differ.

export interface PageOptions {
  publishableKey: string;
  /** https://js.stripe.com/v3/, or the emulator's stand-in (http://127.0.0.1:12111/v3/). */
  stripeJsUrl: string;
}

/** JSON inside a <script>: `<` escaped so no value can close the element. */
const inline = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

export function renderPage({ publishableKey, stripeJsUrl }: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alpaca AI: subscribe</title>
<script src="${attribute(stripeJsUrl)}"></script>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}form{display:grid;gap:.75rem;margin:1rem 0}[hidden]{display:none}</style>
</head>
<body>
<main>
<h1>Subscribe to Alpaca AI</h1>
<p>0.04 USD per 1,000 tokens, billed monthly for what you used.</p>
<form id="signup">
  <label>Email <input type="email" name="email" required autocomplete="email"></label>
  <button type="submit">Continue to payment</button>
</form>
<form id="payment" hidden>
  <div id="payment-element"></div>
  <button type="submit">Subscribe</button>
</form>
<p id="message" role="status"></p>
</main>
<script>
const stripe = Stripe(${inline(publishableKey)});
const message = document.getElementById('message');
let elements, subscription;

document.getElementById('signup').addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch('/create-subscription', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: new FormData(event.target).get('email') }),
  });
  const body = await response.json();
  if (!response.ok) { message.textContent = body.error; return; }
  subscription = body;
  elements = stripe.elements({ clientSecret: body.clientSecret });
  elements.create('payment').mount('#payment-element');
  event.target.hidden = true;
  document.getElementById('payment').hidden = false;
});

document.getElementById('payment').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = event.target.querySelector('button');
  button.disabled = true;
  message.textContent = '';
  const { error: invalid } = await elements.submit();
  if (invalid) { button.disabled = false; return; }
  // A metered price's first invoice is 0: the subscription waits on a SetupIntent. Otherwise the
  // first invoice's PaymentIntent.
  const params = { elements, confirmParams: { return_url: window.location.href }, redirect: 'if_required' };
  const { error } = subscription.type === 'setup' ? await stripe.confirmSetup(params) : await stripe.confirmPayment(params);
  if (error) {
    message.textContent = error.message;
    button.disabled = false;
    return;
  }
  const status = await (await fetch('/subscription/' + encodeURIComponent(subscription.subscriptionId))).json();
  message.textContent = 'Thank you! Your subscription is ' + status.status + '.';
});
</script>
</body>
</html>
`;
}
