// A stand-in for Stripe.js (https://js.stripe.com/v3/), served by the emulator at /v3/. It defines
// the global `Stripe(publishableKey)` with the calls a subscription's payment page makes, renders a
// plain card form instead of Stripe's iframes, and confirms through the emulator's own endpoints
// with the publishable key and the intent's client secret, as Stripe.js does. SPEC.md lists what
// exists and what is not modelled. Plain ES2017 for any browser: this file is served as it is.
(function () {
  'use strict';
  var script = document.currentScript;
  var apiBase = script && script.src ? new URL(script.src).origin : window.location.origin;
  var styled = false;
  var counter = 0;

  /** Stripe's form encoding: nested objects become a[b][c]=… */
  function encode(params, prefix, out) {
    out = out || [];
    Object.keys(params).forEach(function (name) {
      var value = params[name];
      var key = prefix ? prefix + '[' + name + ']' : name;
      if (value === undefined || value === null) return;
      if (typeof value === 'object') encode(value, key, out);
      else out.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(value)));
    });
    return out.join('&');
  }

  /**
   * A form-encoded request with the key as the `key` parameter and no custom header: a "simple"
   * cross-origin request, so the browser sends no CORS preflight (as with Stripe.js).
   */
  function request(publishableKey, method, path, params) {
    var query = encode(Object.assign({ key: publishableKey }, params));
    var init = method === 'GET' ? { method: 'GET' } : { method: method, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: query };
    var url = apiBase + path + (method === 'GET' ? '?' + query : '');
    return fetch(url, init).then(
      function (response) {
        return response.json().then(function (json) {
          return response.ok ? { ok: json } : { error: json.error };
        });
      },
      function (err) {
        return { error: { type: 'api_connection_error', message: 'Could not reach the Stripe emulator at ' + apiBase + ': ' + err.message } };
      },
    );
  }

  /** The two kinds of intent a page confirms: where their endpoints are and how Stripe.js names them. */
  var KINDS = {
    setup: { prefix: 'seti_', path: '/v1/setup_intents/', result: 'setupIntent', field: 'setup_intent', lastError: 'last_setup_error', label: 'SetupIntent' },
    payment: { prefix: 'pi_', path: '/v1/payment_intents/', result: 'paymentIntent', field: 'payment_intent', lastError: 'last_payment_error', label: 'PaymentIntent' },
  };

  function intentId(clientSecret, kind, call) {
    if (typeof clientSecret !== 'string' || clientSecret.indexOf('_secret_') < 0) {
      // Stripe.js's IntegrationError wording.
      throw new Error('Invalid value for intent secret: value should be a client secret of the form ${id}_secret_${secret}.');
    }
    var id = clientSecret.split('_secret_')[0];
    if (id.indexOf(kind.prefix) !== 0) {
      var other = kind === KINDS.setup ? KINDS.payment : KINDS.setup;
      throw new Error('Invalid value for ' + call + ': clientSecret should be a ' + kind.label + ' client secret. You specified: a ' + other.label + ' client secret.');
    }
    return id;
  }

  function addStyle() {
    if (styled) return;
    styled = true;
    var style = document.createElement('style');
    style.textContent =
      '.emu-stripe{border:1px dashed #635bff;border-radius:6px;padding:12px;font:14px system-ui,sans-serif;display:grid;gap:8px;max-width:420px}' +
      '.emu-stripe label{display:grid;gap:2px}.emu-stripe input{font:inherit;padding:6px;border:1px solid #aaa;border-radius:4px}' +
      '.emu-stripe .emu-note{margin:0;color:#444}.emu-stripe [role=alert]{color:#b00020;min-height:1em}' +
      '.emu-stripe-row{display:grid;grid-template-columns:1fr 1fr;gap:8px}' +
      '.emu-stripe-3ds{border:2px solid #635bff;border-radius:8px;font:14px system-ui,sans-serif;max-width:360px}';
    document.head.appendChild(style);
  }

  /** The checks Stripe's card form makes before anything is sent, with Stripe.js's error codes. */
  function validateCard(values) {
    var digits = values.number.replace(/[\s-]/g, '');
    var expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(values.expiry);
    if (!digits) return { code: 'incomplete_number', message: 'Your card number is incomplete.' };
    if (!/^\d{12,19}$/.test(digits)) return { code: 'invalid_number', message: 'Your card number is invalid.' };
    if (!expiry) return { code: 'incomplete_expiry', message: "Your card's expiration date is incomplete." };
    var month = Number(expiry[1]);
    var year = expiry[2].length === 2 ? 2000 + Number(expiry[2]) : Number(expiry[2]);
    var now = new Date();
    if (month < 1 || month > 12) return { code: 'invalid_expiry_month', message: "Your card's expiration month is invalid." };
    if (year * 100 + month < now.getFullYear() * 100 + now.getMonth() + 1) return { code: 'invalid_expiry_year_past', message: "Your card's expiration year is in the past." };
    if (!/^\d{3,4}$/.test(values.cvc.trim())) return { code: 'incomplete_cvc', message: "Your card's security code is incomplete." };
    return { card: { number: digits, exp_month: month, exp_year: year, cvc: values.cvc.trim() } };
  }

  /** `elements.create('payment' | 'card')`: a labelled card form, clearly the emulator's. */
  function createElement(type) {
    var id = 'emu-stripe-' + ++counter;
    var root = null;
    var listeners = {};
    var element = {
      _type: type,
      mount: function (target) {
        var host = typeof target === 'string' ? document.querySelector(target) : target;
        if (!host) throw new Error('stripe element mount(): no element matches ' + target);
        addStyle();
        root = document.createElement('div');
        root.className = 'emu-stripe';
        root.setAttribute('role', 'group');
        root.setAttribute('aria-labelledby', id + '-note');
        root.innerHTML =
          '<p class="emu-note" id="' + id + '-note"><strong>Stripe emulator test form</strong>, not Stripe: use a test card such as 4242 4242 4242 4242.</p>' +
          '<label>Card number<input name="cardnumber" autocomplete="cc-number" inputmode="numeric" placeholder="1234 1234 1234 1234"></label>' +
          '<div class="emu-stripe-row"><label>Expiry (MM / YY)<input name="exp-date" autocomplete="cc-exp" placeholder="MM / YY"></label>' +
          '<label>CVC<input name="cvc" autocomplete="cc-csc" inputmode="numeric" placeholder="123"></label></div>' +
          '<div role="alert" id="' + id + '-error"></div>';
        host.appendChild(root);
        root.addEventListener('input', function () {
          var result = validateCard(element._values());
          emit('change', { elementType: type, empty: !element._values().number, complete: !!result.card, error: undefined });
        });
        setTimeout(function () { emit('ready', { elementType: type }); }, 0);
        return element;
      },
      unmount: function () {
        if (root) root.remove();
        root = null;
      },
      destroy: function () { element.unmount(); },
      on: function (event, handler) {
        (listeners[event] = listeners[event] || []).push(handler);
        return element;
      },
      off: function (event, handler) {
        listeners[event] = (listeners[event] || []).filter(function (h) { return h !== handler; });
        return element;
      },
      _values: function () {
        var field = function (name) { return root ? root.querySelector('input[name="' + name + '"]').value : ''; };
        return { number: field('cardnumber'), expiry: field('exp-date'), cvc: field('cvc') };
      },
      /** Validates and shows the problem under the form, as Stripe's element does. */
      _card: function () {
        if (!root) return { error: { type: 'validation_error', code: 'incomplete', message: 'The payment element is not mounted.' } };
        var result = validateCard(element._values());
        root.querySelector('[role=alert]').textContent = result.card ? '' : result.message;
        return result.card ? result : { error: { type: 'validation_error', code: result.code, message: result.message } };
      },
    };
    function emit(event, payload) {
      (listeners[event] || []).forEach(function (handler) { handler(payload); });
    }
    return element;
  }

  /** The 3-D Secure challenge, as Stripe's test page offers it: complete or fail. Resolves with the choice. */
  function askCardholder() {
    addStyle();
    var dialog = document.createElement('dialog');
    dialog.className = 'emu-stripe-3ds';
    dialog.setAttribute('aria-labelledby', 'emu-stripe-3ds-title');
    dialog.innerHTML =
      '<h2 id="emu-stripe-3ds-title">3D Secure authentication (Stripe emulator test)</h2>' +
      '<p>Your bank asks you to confirm this card. This is a test: choose the outcome.</p>' +
      '<button type="button" value="authenticated">Complete authentication</button> ' +
      '<button type="button" value="failed">Fail authentication</button>';
    document.body.appendChild(dialog);
    return new Promise(function (resolve) {
      dialog.addEventListener('click', function (event) {
        var value = event.target && event.target.value;
        if (value !== 'authenticated' && value !== 'failed') return;
        dialog.close();
        dialog.remove();
        resolve(value);
      });
      // Escape is the cardholder walking away: the authentication fails.
      dialog.addEventListener('cancel', function () {
        dialog.remove();
        resolve('failed');
      });
      dialog.showModal();
    });
  }

  // Stripe(key, options): the options (stripeAccount, locale, …) change nothing here.
  function Stripe(publishableKey) {
    if (typeof publishableKey !== 'string' || !/^pk_test_/.test(publishableKey)) {
      throw new Error('The Stripe emulator takes a test publishable key (pk_test_…), got ' + (typeof publishableKey === 'string' ? publishableKey.slice(0, 8) + '…' : typeof publishableKey) + '.');
    }

    /**
     * POST …/confirm; answers {setupIntent} / {paymentIntent} or {error} (card errors carry the
     * intent, as Stripe.js's do). A card that needs 3-D Secure is authenticated (or not) in the
     * dialog first.
     */
    function confirmIntent(kind, call, clientSecret, card, billingDetails, returnUrl) {
      var path = kind.path + encodeURIComponent(intentId(clientSecret, kind, call));
      var params = { client_secret: clientSecret, payment_method_data: { type: 'card', card: card, billing_details: billingDetails }, return_url: returnUrl };
      return request(publishableKey, 'POST', path + '/confirm', params)
        .then(function (r) {
          if (r.error || r.ok.status !== 'requires_action') return r;
          return askCardholder().then(function (result) {
            return request(publishableKey, 'POST', path + '/three_d_secure', { client_secret: clientSecret, result: result });
          });
        })
        .then(function (r) {
          if (r.error) return { error: r.error };
          var failure = r.ok.status === 'requires_payment_method' && r.ok[kind.lastError];
          var outcome = {};
          if (failure) {
            outcome.error = Object.assign({}, failure);
            outcome.error[kind.field] = r.ok;
          } else {
            outcome[kind.result] = r.ok;
          }
          return outcome;
        });
    }

    /** confirmSetup / confirmPayment: validate the element, confirm, then redirect unless 'if_required'. */
    function confirmWithElements(kind, call, params) {
      var elements = params.elements;
      var clientSecret = params.clientSecret || (elements && elements._clientSecret);
      intentId(clientSecret, kind, call);
      var confirmParams = params.confirmParams || {};
      var ifRequired = params.redirect === 'if_required';
      if (!ifRequired && !confirmParams.return_url) {
        return Promise.reject(new Error('stripe.' + call + "(): confirmParams.return_url is required unless redirect is 'if_required'."));
      }
      var element = elements && elements._element();
      var result = element ? element._card() : { error: { type: 'validation_error', code: 'incomplete', message: 'Create and mount a payment element first.' } };
      if (result.error) return Promise.resolve({ error: result.error });
      var billing = confirmParams.payment_method_data && confirmParams.payment_method_data.billing_details;
      return confirmIntent(kind, call, clientSecret, result.card, billing, confirmParams.return_url).then(function (outcome) {
        if (outcome.error || ifRequired) return outcome;
        var url = new URL(confirmParams.return_url, window.location.href);
        url.searchParams.set(kind.field, outcome[kind.result].id);
        url.searchParams.set(kind.field + '_client_secret', clientSecret);
        url.searchParams.set('redirect_status', outcome[kind.result].status);
        window.location.assign(url.toString());
        return new Promise(function () {});
      });
    }

    /** confirmCardSetup / confirmCardPayment with a card element. */
    function confirmWithCard(kind, call, clientSecret, data) {
      intentId(clientSecret, kind, call);
      var element = data && data.payment_method && data.payment_method.card;
      if (!element || !element._card) return Promise.reject(new Error('stripe.' + call + '(): pass {payment_method: {card: cardElement}}.'));
      var result = element._card();
      if (result.error) return Promise.resolve({ error: result.error });
      return confirmIntent(kind, call, clientSecret, result.card, data.payment_method.billing_details, data.return_url);
    }

    function retrieveIntent(kind, call, clientSecret) {
      return request(publishableKey, 'GET', kind.path + encodeURIComponent(intentId(clientSecret, kind, call)), { client_secret: clientSecret }).then(function (r) {
        var outcome = {};
        if (r.error) outcome.error = r.error;
        else outcome[kind.result] = r.ok;
        return outcome;
      });
    }

    return {
      elements: function (elementsOptions) {
        var clientSecret = elementsOptions && elementsOptions.clientSecret;
        var created = {};
        return {
          _clientSecret: clientSecret,
          // create(type, options): the options (layout, fields, …) change nothing here.
          create: function (type) {
            if (type !== 'payment' && type !== 'card') throw new Error("The Stripe emulator's elements.create() knows 'payment' and 'card', not '" + type + "'.");
            return (created[type] = createElement(type));
          },
          getElement: function (type) { return created[type] || null; },
          submit: function () {
            var element = created.payment || created.card;
            var result = element ? element._card() : { error: { type: 'validation_error', code: 'incomplete', message: 'Create and mount a payment element first.' } };
            return Promise.resolve(result.error ? { error: result.error } : {});
          },
          _element: function () { return created.payment || created.card; },
        };
      },

      confirmSetup: function (params) {
        return confirmWithElements(KINDS.setup, 'confirmSetup', params);
      },
      confirmPayment: function (params) {
        return confirmWithElements(KINDS.payment, 'confirmPayment', params);
      },
      confirmCardSetup: function (clientSecret, data) {
        return confirmWithCard(KINDS.setup, 'confirmCardSetup', clientSecret, data);
      },
      confirmCardPayment: function (clientSecret, data) {
        return confirmWithCard(KINDS.payment, 'confirmCardPayment', clientSecret, data);
      },
      retrieveSetupIntent: function (clientSecret) {
        return retrieveIntent(KINDS.setup, 'retrieveSetupIntent', clientSecret);
      },
      retrievePaymentIntent: function (clientSecret) {
        return retrieveIntent(KINDS.payment, 'retrievePaymentIntent', clientSecret);
      },
    };
  }

  window.Stripe = Stripe;
})();
