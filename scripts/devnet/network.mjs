// A real AT Protocol network on loopback for Careerlog's integration tests: the reference PLC
// directory and PDS (dev mode) from @atproto/dev-env, on random localhost ports.
//
//   .devnet/node/bin/node scripts/devnet/network.mjs ['[{"handle":…,"email":…,"password":…}]']
//
// (scripts/devnet/install puts the pinned Node and the packages into .devnet/ first.)
//
// It creates the accounts given as a JSON array in argv[2] or in DEVNET_ACCOUNTS (default:
// alice.test and bob.test), prints ONE line of JSON to stdout:
//
//   {"plc_url":…,"pds_url":…,"accounts":[{"handle":…,"did":…,"email":…,"password":…}]}
//
// then runs until its stdin closes (or SIGTERM/SIGINT), and closes the network. Everything else
// goes to stderr. Settings (environment):
//   DEVNET_DIR       the installed network (default: .devnet/ at the repository root)
//   DEVNET_DATA_DIR  where the PDS keeps its databases and blobs (default: a temporary folder,
//                    removed on exit; a given folder is left for its owner to remove)
//   DEVNET_LOG       set to 1 for the PDS's own log (pino JSON, on stderr); off by default
//
// The servers listen on 127.0.0.1 only (dev-env would listen on every interface): whatever
// listens on a port alone is bound to loopback here.

import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// stdout carries the one JSON line and nothing else.
console.log = console.error;
console.info = console.error;
console.debug = console.error;
const log = (message) => console.error(`[devnet] ${message}`);

if (process.env.DEVNET_LOG === '1') {
  process.env.LOG_ENABLED = 'true';
  process.env.LOG_DESTINATION ??= '/dev/stderr';
  process.env.LOG_LEVEL ??= 'info';
} else {
  process.env.LOG_ENABLED = 'false';
}

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const portOnly =
    (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) &&
    typeof args[1] !== 'string';
  if (portOnly) args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};

const here = path.dirname(fileURLToPath(import.meta.url));
const devnetDir = path.resolve(process.env.DEVNET_DIR ?? path.join(here, '..', '..', '.devnet'));
// The packages are in .devnet/node_modules, not beside this script: resolve from there.
const require = createRequire(path.join(devnetDir, 'package.json'));
let devEnv;
try {
  devEnv = await import(pathToFileURL(require.resolve('@atproto/dev-env')).href);
} catch (err) {
  log(`@atproto/dev-env is not installed in ${devnetDir} (run scripts/devnet/install): ${err.message}`);
  process.exit(2);
}
const { TestNetworkNoAppView } = devEnv;

const defaultAccounts = ['alice', 'bob'].map((name) => ({
  handle: `${name}.test`,
  email: `${name}@devnet.test`,
  password: `${name}-devnet-pass`,
}));

function requestedAccounts() {
  const raw = process.argv[2] ?? process.env.DEVNET_ACCOUNTS;
  if (raw === undefined || raw.trim() === '') return defaultAccounts;
  const accounts = JSON.parse(raw);
  const valid =
    Array.isArray(accounts) &&
    accounts.every((a) => ['handle', 'email', 'password'].every((k) => typeof a?.[k] === 'string'));
  if (!valid) throw new Error('accounts: expected a JSON array of {handle, email, password}');
  return accounts;
}

let network;
let ownDataDir;
let closing = false;

async function shutdown(code) {
  if (closing) return;
  closing = true;
  // A network that does not close in time is abandoned: the process ends either way.
  const timer = setTimeout(() => {
    log('the network did not close within 10 s; exiting anyway');
    process.exit(code);
  }, 10_000);
  timer.unref();
  try {
    await network?.close();
  } catch (err) {
    log(`closing the network: ${err?.stack ?? err}`);
  }
  if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true }).catch(() => {});
  process.exit(code);
}

process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
process.stdin.on('end', () => shutdown(0));
process.stdin.on('error', () => shutdown(0));
process.stdin.resume();

try {
  const accounts = requestedAccounts();
  // dev-env puts the PDS's data in os.tmpdir(); point that at a folder of this run's own. (Only
  // now: dev-env's port claims, shared between processes, stay in the real temporary folder.)
  const dataDir = process.env.DEVNET_DATA_DIR;
  if (dataDir) {
    process.env.TMPDIR = path.resolve(dataDir);
  } else {
    ownDataDir = await mkdtemp(path.join(os.tmpdir(), 'careerlog-devnet-'));
    process.env.TMPDIR = ownDataDir;
  }

  network = await TestNetworkNoAppView.create({});
  const agent = network.pds.getAgent();
  const created = [];
  for (const { handle, email, password } of accounts) {
    const { data } = await agent.com.atproto.server.createAccount({ handle, email, password });
    created.push({ handle: data.handle, did: data.did, email, password });
  }
  process.stdout.write(
    JSON.stringify({ plc_url: network.plc.url, pds_url: network.pds.url, accounts: created }) + '\n',
  );
  log(`PLC ${network.plc.url}, PDS ${network.pds.url}, ${created.length} account(s); close stdin to stop`);
} catch (err) {
  log(`the network did not start: ${err?.stack ?? err}`);
  await shutdown(1);
}
