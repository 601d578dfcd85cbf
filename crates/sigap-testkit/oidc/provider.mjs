#!/usr/bin/env node
// Loopback OpenID Connect provider for sigap's sign-in tests.
//
// Built on the certified `oidc-provider` package (pinned in package.json). It
// listens on 127.0.0.1 over plain http, prints exactly one line
// `ready <issuer>` to stdout once it accepts connections, and logs everything
// else to stderr. See README.md beside this file for the flags and for what a
// test must do at each step of the code flow.
//
// Test shortcuts (never use this file outside tests):
//   * no login or consent pages: the authorization request names the account
//     with `login_hint=<sub>`, and the interaction endpoint signs that account
//     in and grants the requested scopes at once (HTTP 400 if the hint is
//     missing or unknown);
//   * RP-initiated logout is confirmed by the provider itself (unless
//     --manual-logout), so GET end_session_endpoint answers 303 straight to
//     post_logout_redirect_uri.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { interactionPolicy } from 'oidc-provider';

const log = (...args) => console.error('[oidc]', ...args);

function fail(message) {
  log(`error: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------
// Configuration: flags win over environment variables.
// ---------------------------------------------------------------------------

const usage = `usage: node provider.mjs --clients FILE --accounts FILE [--port N]
       [--id-token-ttl SECONDS] [--manual-logout] [--exit-on-stdin-close]
env:   OIDC_PORT, OIDC_CLIENTS, OIDC_ACCOUNTS, OIDC_ID_TOKEN_TTL,
       OIDC_MANUAL_LOGOUT=1, OIDC_EXIT_ON_STDIN_CLOSE=1`;

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      port: { type: 'string' },
      clients: { type: 'string' },
      accounts: { type: 'string' },
      'id-token-ttl': { type: 'string' },
      'manual-logout': { type: 'boolean' },
      'exit-on-stdin-close': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  console.error(`${err.message}\n${usage}`);
  process.exit(2);
}
if (flags.help) {
  console.error(usage);
  process.exit(0);
}

const env = process.env;
const truthy = (v) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

function intOption(name, raw, fallback, min) {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) fail(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min) fail(`${name} must be >= ${min}`);
  return n;
}

const port = intOption('--port', flags.port ?? env.OIDC_PORT, 0, 0);
if (port > 65535) fail('--port must be <= 65535');
const idTokenTtl = intOption('--id-token-ttl', flags['id-token-ttl'] ?? env.OIDC_ID_TOKEN_TTL, 3600, 1);
const manualLogout = flags['manual-logout'] ?? truthy(env.OIDC_MANUAL_LOGOUT);
const exitOnStdinClose = flags['exit-on-stdin-close'] ?? truthy(env.OIDC_EXIT_ON_STDIN_CLOSE);
const clientsFile = flags.clients ?? env.OIDC_CLIENTS;
const accountsFile = flags.accounts ?? env.OIDC_ACCOUNTS;
if (!clientsFile) fail(`--clients FILE is required\n${usage}`);
if (!accountsFile) fail(`--accounts FILE is required\n${usage}`);

function readJsonArray(file, what) {
  let value;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`cannot read ${what} file ${file}: ${err.message}`);
  }
  if (!Array.isArray(value)) fail(`${what} file ${file} must hold a JSON array`);
  return value;
}

const clients = readJsonArray(clientsFile, 'clients').map((c, i) => {
  if (!c || typeof c.client_id !== 'string') fail(`clients[${i}] needs a string client_id`);
  return {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
    ...c,
  };
});

const accounts = new Map();
for (const [i, a] of readJsonArray(accountsFile, 'accounts').entries()) {
  if (!a || typeof a.sub !== 'string' || !a.sub) fail(`accounts[${i}] needs a non-empty string sub`);
  if (a.amr !== undefined && (!Array.isArray(a.amr) || !a.amr.every((m) => typeof m === 'string'))) {
    fail(`accounts[${i}].amr must be an array of strings`);
  }
  if (a.groups !== undefined && !Array.isArray(a.groups)) fail(`accounts[${i}].groups must be an array`);
  if (accounts.has(a.sub)) fail(`duplicate account sub ${a.sub}`);
  accounts.set(a.sub, a);
}

// acr values the provider may emit: oidc-provider drops the acr claim unless
// it is listed here.
const acrValues = [...new Set(['urn:sigap:acr:pwd', ...[...accounts.values()].map((a) => a.acr).filter(Boolean)])];

// ---------------------------------------------------------------------------
// Keys: a fresh RS256 signing key per process, published in the JWKS.
// ---------------------------------------------------------------------------

function rsaSigningJwk() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  // RFC 7638 thumbprint as kid.
  const thumb = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  const kid = crypto.createHash('sha256').update(thumb).digest('base64url');
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

// ---------------------------------------------------------------------------
// Small HTML helpers (no external assets: the tests run offline).
// ---------------------------------------------------------------------------

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body>
${body}
</body></html>
`;

// ---------------------------------------------------------------------------
// Interaction policy: the stock login/consent prompts, plus "a login_hint
// naming another account than the signed-in one requires a new login", so a
// test can switch users while keeping one cookie jar.
// ---------------------------------------------------------------------------

const { base: basePolicy, Check } = interactionPolicy;
const policy = basePolicy();
policy.get('login').checks.add(new Check(
  'login_hint_mismatch',
  'login_hint names another account than the signed-in one',
  (ctx) => {
    const hint = ctx.oidc.params.login_hint;
    const current = ctx.oidc.session.accountId;
    if (hint && current && hint !== current) return Check.REQUEST_PROMPT;
    return Check.NO_NEED_TO_PROMPT;
  },
));

// ---------------------------------------------------------------------------
// Provider configuration.
// ---------------------------------------------------------------------------

function configuration() {
  return {
    clients,
    jwks: { keys: [rsaSigningJwk()] },
    cookies: {
      keys: [crypto.randomBytes(32).toString('hex')],
      // The stock long-lived (session) cookie is SameSite=None, which browsers
      // drop unless it is also Secure -- impossible on plain http. Lax works
      // for every top-level redirect this flow uses.
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const out = { sub };
          for (const k of ['email', 'email_verified', 'name', 'groups']) {
            if (account[k] !== undefined) out[k] = account[k];
          }
          return out;
        },
      };
    },
    claims: {
      // acr, amr and auth_time ride on the openid scope: stock oidc-provider
      // only puts them in the ID token when asked for (claims parameter,
      // acr_values, max_age), and sigap's tests want them every time.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
      acr: null,
      amr: null,
      auth_time: null,
      iss: null,
      sid: null,
    },
    // Put the scope claims (email, name, groups) in the ID token of the code
    // flow too, not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    acrValues,
    pkce: {
      methods: ['S256'],
      required: () => true,
    },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    ttl: {
      IdToken: idTokenTtl,
      AccessToken: 3600,
      AuthorizationCode: 60,
      RefreshToken: 86400,
      Grant: 86400,
      Interaction: 600,
      Session: 86400,
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          // Only reached with --manual-logout (otherwise the confirmation is
          // done by the provider, see autoConfirmLogout). The form posts
          // `xsrf` to /session/end/confirm; the button adds `logout=yes`.
          ctx.body = page('Sign out', `<h1>Sign out of ${esc(ctx.host)}?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<h1>Signed out</h1>');
        },
      },
    },
    interactions: {
      policy,
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>${esc(out.error)}</h1><p>${esc(out.error_description ?? '')}</p>`);
    },
  };
}

// ---------------------------------------------------------------------------
// Non-interactive login + consent at GET /interaction/<uid>.
// ---------------------------------------------------------------------------

function badRequest(ctx, message) {
  log(`interaction refused: ${message}`);
  ctx.status = 400;
  ctx.type = 'html';
  ctx.body = page('Bad request', `<h1>invalid_request</h1><p>${esc(message)}</p>`);
}

async function interaction(provider, ctx) {
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    // Usually the `_interaction` cookie did not come back (no cookie jar).
    return badRequest(ctx, `interaction session not found (${err.message}); send back the _interaction cookie`);
  }
  const { prompt, params } = details;
  const hint = params.login_hint;
  if (!hint) return badRequest(ctx, 'login_hint is required (the test provider signs in the account it names)');
  const account = accounts.get(hint);
  if (!account) return badRequest(ctx, `unknown login_hint ${JSON.stringify(hint)}`);

  const result = {};
  let grant;
  if (prompt.name === 'login') {
    result.login = {
      accountId: account.sub,
      amr: account.amr ?? ['pwd'],
      acr: account.acr ?? 'urn:sigap:acr:pwd',
      remember: true,
    };
    // Consent in the same round trip: a fresh grant for the new account.
    grant = new provider.Grant({ accountId: account.sub, clientId: params.client_id });
    if (params.scope) grant.addOIDCScope(params.scope);
  } else if (prompt.name === 'consent') {
    const sessionAccount = details.session?.accountId;
    if (details.grantId) grant = await provider.Grant.find(details.grantId);
    if (!grant || grant.accountId !== sessionAccount) {
      grant = new provider.Grant({ accountId: sessionAccount, clientId: params.client_id });
    }
    const d = prompt.details ?? {};
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  } else {
    return badRequest(ctx, `unsupported prompt ${prompt.name}`);
  }
  result.consent = { grantId: await grant.save() };

  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  log(`interaction ${details.uid}: ${prompt.name} as ${account.sub} -> resume`);
  ctx.status = 303;
  ctx.redirect(returnTo);
}

// ---------------------------------------------------------------------------
// Logout without a confirmation page.
//
// oidc-provider answers the end_session endpoint with a page holding a form
// (or, when the user agent has no session, an auto-submitting form) that POSTs
// `xsrf` (+ `logout=yes`) to /session/end/confirm. It does the same at the
// resume step (/auth/<uid>) when a login for another account than the
// signed-in one comes back: an auto-submitting form ends the old session and
// returns to /auth/<uid>. Here the provider submits that form itself, over
// loopback, with the user agent's cookies, and hands the confirm answer (303
// to post_logout_redirect_uri or back to /auth/<uid>, cookie deletions) back as
// the answer to the GET. Only its public HTTP interface is used.
// ---------------------------------------------------------------------------

function cookiePairs(header) {
  const out = new Map();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function setCookieList(value) {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

async function autoConfirmLogout(provider, ctx, route) {
  const secret = ctx.oidc?.session?.state?.secret;
  if (!secret) return;

  // The cookies the user agent would send to /session/end/confirm: what it
  // sent now, updated by what this response sets.
  const jar = cookiePairs(ctx.get('cookie'));
  const setNow = setCookieList(ctx.response.get('set-cookie'));
  for (const sc of setNow) {
    const first = sc.split(';', 1)[0];
    const i = first.indexOf('=');
    if (i <= 0) continue;
    const name = first.slice(0, i).trim();
    const value = first.slice(i + 1).trim();
    if (value === '' || /;\s*expires=Thu, 01 Jan 1970/i.test(sc)) jar.delete(name);
    else jar.set(name, value);
  }

  const res = await fetch(new URL('/session/end/confirm', provider.issuer), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    },
    body: new URLSearchParams({ xsrf: secret, logout: 'yes' }).toString(),
  });
  const body = await res.text();
  if (res.status !== 303) {
    log(`logout auto-confirm failed: HTTP ${res.status}: ${body.slice(0, 300)}`);
    return; // leave the confirmation page in place
  }

  // Cookies set by the confirm answer replace the ones this answer set (one
  // Set-Cookie per name: clients differ on which of two duplicates wins).
  const confirmCookies = res.headers.getSetCookie();
  const confirmNames = new Set(confirmCookies.map((sc) => sc.split('=', 1)[0].trim()));
  ctx.set('set-cookie', [
    ...setNow.filter((sc) => !confirmNames.has(sc.split('=', 1)[0].trim())),
    ...confirmCookies,
  ]);
  ctx.status = 303;
  ctx.redirect(res.headers.get('location'));
  log(`${route}: logout auto-confirmed -> ${res.headers.get('location')}`);
}

// ---------------------------------------------------------------------------
// Start.
// ---------------------------------------------------------------------------

let handler = (req, res) => {
  res.statusCode = 503;
  res.end('starting\n');
};
const server = http.createServer((req, res) => handler(req, res));

server.on('error', (err) => fail(`listen on 127.0.0.1:${port}: ${err.message}`));
server.listen(port, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  let provider;
  try {
    provider = new Provider(issuer, configuration());
  } catch (err) {
    fail(`bad configuration: ${err.stack || err.message}`);
  }

  // oidc-provider checks static client metadata lazily; check it now so a bad
  // clients file fails at start instead of as invalid_client mid-test.
  for (const c of clients) {
    try {
      await provider.Client.find(c.client_id);
    } catch (err) {
      fail(`client ${c.client_id}: ${err.message}${err.error_description ? `: ${err.error_description}` : ''}`);
    }
  }

  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && /^\/interaction\/[^/]+$/.test(ctx.path)) {
      await interaction(provider, ctx);
      return;
    }
    await next();
    const route = ctx.oidc?.route;
    if (ctx.status === 200 && ((route === 'end_session' && !manualLogout) || route === 'resume')) {
      await autoConfirmLogout(provider, ctx, route);
    }
  });

  for (const ev of ['server_error', 'authorization.error', 'grant.error', 'end_session.error',
    'introspection.error', 'revocation.error', 'userinfo.error', 'jwks.error', 'discovery.error',
    'check_session.error', 'pushed_authorization_request.error', 'registration_create.error']) {
    provider.on(ev, (ctx, err) => log(`${ev}: ${err?.message ?? err}${err?.error_description ? ` (${err.error_description})` : ''}`));
  }
  provider.on('grant.success', (ctx) => log(`token issued to ${ctx.oidc.client?.clientId}`));
  provider.on('end_session.success', () => log('end_session: session ended'));

  handler = provider.callback();
  log(`issuer ${issuer}; ${clients.length} client(s), ${accounts.size} account(s); id token ttl ${idTokenTtl}s; logout ${manualLogout ? 'manual' : 'auto-confirmed'}`);
  process.stdout.write(`ready ${issuer}\n`);
});

const stop = (sig) => {
  log(`${sig}: stopping`);
  server.close();
  process.exit(0);
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
if (exitOnStdinClose) {
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin error'));
  process.stdin.resume();
}
