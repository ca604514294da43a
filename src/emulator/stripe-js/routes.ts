// The Stripe.js stand-in, where a page loads it: `<script src="http://127.0.0.1:12111/v3/">`,
// the emulator's counterpart of https://js.stripe.com/v3/ (also under /js.stripe.com/v3/, for a
// proxy or a rewrite that keeps Stripe's host in the path).
import { RawResponse, type Route } from '../types.js';
import { stripeJsSource } from './script.js';

const serve = () => new RawResponse(stripeJsSource(), 'text/javascript; charset=utf-8', 200, { 'Cache-Control': 'no-cache' });

export const routes: Route[] = ['/v3/', '/v3', '/js.stripe.com/v3/', '/js.stripe.com/v3'].map((path) => ({ method: 'GET', path, auth: 'none', handler: serve }));
