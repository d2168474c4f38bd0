// A real OpenID Provider for eform's sign-in tests: the certified `oidc-provider` package, run on
// a loopback port, standing in for the national single sign-on (VNeID).
//
//   node tests/oidc/provider.mjs [--port N] [--client-base http://127.0.0.1:PORT] [--stdin]
//
// Prints `oidc-provider listening on http://127.0.0.1:PORT` when ready; stops on SIGTERM/SIGINT.
// One confidential client: id `eform`, secret `test-secret` (client_secret_basic), PKCE required.
// Its sign-in page takes an account name (any password):
//   an, binh    citizens, level-2 identity (acr urn:vneid:loa:2), with personal ID numbers
//   cuong       a citizen at level 1 (acr urn:vneid:loa:1)
//   noid        a person without a personal ID number
//   ha          an official of agency 000.00.18.H56 (role and agency claims)
//   stranger    an "official" of an agency the portal does not know
// Test controls (loopback only, as the whole server):
//   POST /__test/configure {"redirect_uris": [...], "post_logout_redirect_uris": [...]}
//   POST /__test/tamper {"mode": "signature"|"audience"|"nonce"|"expired"|"unknown-key"|null}
//        the next ID token leaves the token endpoint altered that way (re-signed with the
//        provider's own key where only a claim is wrong)
//   POST /__test/rotate   a new signing key (ES256) comes first; the RS256 one stays published
//   GET  /__test/state    {"rotated": bool, "tamper": mode, "tokens": n}
import http from "node:http";
import crypto from "node:crypto";
import Provider from "oidc-provider";

const args = process.argv.slice(2);
const portArg = args.indexOf("--port");
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
// `--client-base URL`: the portal the client `eform` belongs to (its callback and home).
const baseArg = args.indexOf("--client-base");
const clientBase = baseArg >= 0 ? args[baseArg + 1].replace(/\/$/, "") : null;

const ACCOUNTS = {
  an: { name: "Nguyễn Văn An", personal_id: "001090012345", acr: "urn:vneid:loa:2" },
  binh: { name: "Trần Thị Bình", personal_id: "056185004321", acr: "urn:vneid:loa:2" },
  cuong: { name: "Lê Minh Cường", personal_id: "079201007788", acr: "urn:vneid:loa:1" },
  noid: { name: "Không Có Số", acr: "urn:vneid:loa:2" },
  ha: { name: "Phạm Thu Hà", personal_id: "001185001122", eform_role: "official", agency_code: "000.00.18.H56", acr: "urn:vneid:loa:2" },
  stranger: { name: "Người Lạ", eform_role: "official", agency_code: "999.99.99.X00", acr: "urn:vneid:loa:2" },
};

function newKey(kind, kid) {
  const { privateKey } = kind === "EC"
    ? crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
    : crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  return { jwk: { ...jwk, kid, use: "sig", alg: kind === "EC" ? "ES256" : "RS256" }, privateKey };
}

// Key ids unique to this run, as a provider's are.
const run = crypto.randomBytes(4).toString("hex");
const rsa = newKey("RSA", `rsa-${run}`);
let ec = null;
let redirectUris = clientBase ? [`${clientBase}/auth/callback`] : [];
let postLogoutUris = clientBase ? [`${clientBase}/`] : [];
let tamper = null;
let tokens = 0;
let provider;
let issuer;

function build() {
  const keys = ec ? [ec.jwk, rsa.jwk] : [rsa.jwk];
  const p = new Provider(issuer, {
    clients: [{
      client_id: "eform",
      client_secret: "test-secret",
      redirect_uris: redirectUris.length ? redirectUris : ["http://127.0.0.1/auth/callback"],
      post_logout_redirect_uris: postLogoutUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: ec ? "ES256" : "RS256",
    }],
    jwks: { keys },
    findAccount: async (_ctx, id) => ACCOUNTS[id] && {
      accountId: id,
      async claims() {
        const { acr: _acr, ...claims } = ACCOUNTS[id];
        return { sub: id, ...claims };
      },
    },
    claims: {
      acr: null, auth_time: null, sid: null,
      openid: ["sub", "personal_id", "eform_role", "agency_code"], profile: ["name"],
    },
    conformIdTokenClaims: false,
    acrValues: ["urn:vneid:loa:1", "urn:vneid:loa:2"],
    cookies: { keys: ["eform-test-cookie-key"] },
    features: {
      devInteractions: { enabled: false },
      // Plain pages of our own: the package's default ones load web fonts from elsewhere.
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Đăng xuất VNeID (test)</title></head>
<body><main><h1>Đăng xuất khỏi VNeID?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Có, đăng xuất</button>
<button type="submit" form="op.logoutForm">Không</button></main></body></html>`;
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>VNeID (test)</title></head>
<body><main><h1>Đã đăng xuất.</h1></main></body></html>`;
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600,
      Session: 3600, Grant: 3600,
    },
  });
  p.use(async (ctx, next) => {
    await next();
    if (ctx.path === "/token" && ctx.body && ctx.body.id_token) {
      tokens += 1;
      if (tamper) {
        ctx.body = { ...ctx.body, id_token: alter(ctx.body.id_token, tamper) };
        tamper = null;
      }
    }
  });
  return p;
}

const b64 = (buf) => Buffer.from(buf).toString("base64url");

function sign(header, payload, key) {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const sig = header.alg === "ES256"
    ? crypto.sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" })
    : crypto.sign("sha256", Buffer.from(input), key);
  return `${input}.${b64(sig)}`;
}

function alter(jwt, mode) {
  const [h, p, s] = jwt.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url"));
  const payload = JSON.parse(Buffer.from(p, "base64url"));
  const key = header.kid === ec?.jwk.kid ? ec.privateKey : rsa.privateKey;
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case "signature": {
      const bytes = Buffer.from(s, "base64url");
      bytes[bytes.length - 1] ^= 0x01;
      return `${h}.${p}.${b64(bytes)}`;
    }
    case "audience": return sign(header, { ...payload, aud: "someone-else" }, key);
    case "nonce": return sign(header, { ...payload, nonce: "not-the-nonce" }, key);
    case "expired": return sign(header, { ...payload, iat: now - 3600, exp: now - 1800 }, key);
    case "unknown-key": {
      const other = newKey("RSA", "not-published");
      return sign({ ...header, alg: "RS256", kid: "not-published" }, payload, other.privateKey);
    }
    default: return jwt;
  }
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>VNeID (test)</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<main><h1>Đăng nhập VNeID (máy chủ thử nghiệm)</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}/login">
<p><label for="login">Tài khoản</label> <input id="login" name="login" autocomplete="username" required></p>
<p><label for="password">Mật khẩu</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Đăng nhập</button></p>
</form></main></body></html>`;
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

async function interaction(req, res, url) {
  const parts = url.pathname.split("/").filter(Boolean); // interaction, uid, [login]
  const details = await provider.interactionDetails(req, res);
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(loginPage(details.uid));
    return;
  }
  if (req.method === "POST" && parts[2] === "login") {
    const form = new URLSearchParams(await body(req));
    const login = form.get("login") ?? "";
    const account = ACCOUNTS[login];
    if (!account) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(loginPage(details.uid, "Không có tài khoản này."));
      return;
    }
    const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope ?? "openid"));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, {
      login: { accountId: login, acr: account.acr },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
    return;
  }
  res.writeHead(404);
  res.end();
}

async function control(req, res, url) {
  if (url.pathname === "/__test/state") {
    return json(res, 200, { rotated: !!ec, tamper, tokens });
  }
  if (req.method !== "POST") return json(res, 405, {});
  const text = await body(req);
  const input = text ? JSON.parse(text) : {};
  if (url.pathname === "/__test/configure") {
    redirectUris = input.redirect_uris ?? redirectUris;
    postLogoutUris = input.post_logout_redirect_uris ?? postLogoutUris;
    provider = build();
    return json(res, 200, { ok: true });
  }
  if (url.pathname === "/__test/tamper") {
    tamper = input.mode ?? null;
    return json(res, 200, { tamper });
  }
  if (url.pathname === "/__test/rotate") {
    ec = newKey("EC", `ec-${run}`);
    provider = build();
    return json(res, 200, { kid: ec.jwk.kid });
  }
  return json(res, 404, {});
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname.startsWith("/__test/")) return await control(req, res, url);
    if (url.pathname.startsWith("/interaction/")) return await interaction(req, res, url);
    return provider.callback()(req, res);
  } catch (e) {
    console.error(e);
    if (!res.headersSent) json(res, 500, { error: String(e) });
    else res.end();
  }
});
server.keepAliveTimeout = 1000;

server.listen(port, "127.0.0.1", () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  provider = build();
  console.log(`oidc-provider listening on ${issuer}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
// `--stdin`: stop when the parent goes away (its end of our stdin closes).
if (args.includes("--stdin")) {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
