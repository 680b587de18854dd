// Over-long request arrays against a running LocalHost on loopback: how a normal GET's latency and the
// server's memory fare while 10,000-element arrays arrive, and how large the answers to them are.
// Bounded: fixed phases of a few seconds, fixed concurrency, loopback only; it stops by itself.
//
//   node benchmarks/long-arrays.mjs --url http://127.0.0.1:7391 --pid <LocalHost pid> --token <token> [--seconds 10] [--attackers 4] [--rate 40]
//
// --rate: the attack requests per second, in all (the same load for every build compared); 0: as fast as they go.
//
// The token: dotnet run --project Interviews.LocalHost -- token --user bench
import { readFileSync } from "node:fs";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const base = new URL(args.url ?? "http://127.0.0.1:7391");
if (!["127.0.0.1", "localhost", "[::1]"].includes(base.hostname)) throw new Error("Loopback only.");
const seconds = Number(args.seconds ?? 10);
const attackers = Number(args.attackers ?? 4);
const rate = Number(args.rate ?? 40);
const headers = { authorization: `Bearer ${args.token}`, "content-type": "application/json" };
const api = (path) => new URL(`/api${path}`, base);

const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${args.pid}/status`, "utf8"))[1]) / 1024;
const p = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function send(method, path, body) {
  const response = await fetch(api(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const bytes = (await response.arrayBuffer()).byteLength;
  return { status: response.status, bytes };
}

const future = new Date(Date.now() + 3 * 86400_000).toISOString().replace(/\.\d+Z$/, "Z");
const schedule = { applicationId: "6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11", interviewType: "Video", scheduledAt: future, duration: 60, timezone: "Europe/Paris" };
const created = await (await fetch(api("/interviews"), { method: "POST", headers, body: JSON.stringify(schedule) })).json();
const id = created.id;

// The four request arrays, 10,000 elements each (each body under the endpoint's size limit).
const many = (n, f) => Array.from({ length: n }, (_, i) => f(i));
const attacks = [
  ["POST", "/interviews", { ...schedule, interviewers: many(10_000, () => "") }],
  ["POST", `/interviews/${id}/thank-you`, { recipients: many(10_000, () => ""), method: "Email" }],
  ["PUT", "/me/notification-settings", { reminderMinutesBefore: many(10_000, (i) => -i) }],
  ["PUT", `/interviews/${id}/prepare`, { questions: many(10_000, () => ({ question: "" })) }],
];

async function timedGets(untilMs) {
  const times = [];
  while (Date.now() < untilMs) {
    const start = process.hrtime.bigint();
    const { status } = await send("GET", `/interviews/${id}`);
    if (status !== 200) throw new Error(`GET answered ${status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

async function phase(name, withAttack) {
  const until = Date.now() + seconds * 1000;
  const rssStart = rssMiB();
  let rssPeak = rssStart;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssMiB()); }, 50);
  let attacksSent = 0;
  const statuses = new Map();
  const started = Date.now();
  const attack = async (k) => {
    for (let n = 0; Date.now() < until; n++) {
      // Each attacker's share of the rate: its n-th request is not sent before its time.
      const due = started + (rate > 0 ? (n * attackers + k) * 1000 / rate : 0);
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      if (Date.now() >= until) break;
      const [method, path, body] = attacks[(n + k) % attacks.length];
      const { status } = await send(method, path, body);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      attacksSent++;
    }
  };
  const [gets] = await Promise.all([timedGets(until), ...(withAttack ? many(attackers, (k) => attack(k)) : [])]);
  clearInterval(sampler);
  return {
    phase: name, gets: gets.length, getP50Ms: +p(gets, 0.5).toFixed(2), getP95Ms: +p(gets, 0.95).toFixed(2),
    attacks: attacksSent, attackStatuses: Object.fromEntries(statuses), rssStartMiB: +rssStart.toFixed(0), rssPeakMiB: +rssPeak.toFixed(0),
    rssGrowthMiB: +(rssPeak - rssStart).toFixed(0),
  };
}

// Answer sizes: a 64 KB body of empty interviewer names, a 1 MB preparation of empty questions.
const fill = (limit, element) => { const n = Math.floor((limit - 300) / (JSON.stringify(element).length + 1)); return many(n, () => element); };
const answer64k = await send("POST", "/interviews", { ...schedule, interviewers: fill(64 * 1024, "") });
const answer1m = await send("PUT", `/interviews/${id}/prepare`, { questions: fill(1024 * 1024, { question: "" }) });

const results = [await phase("GET alone", false), await phase(`GET while ${attackers} clients send 10,000-element arrays (${rate > 0 ? rate + "/s in all" : "as fast as they go"})`, true)];
console.log(JSON.stringify({
  url: base.href, seconds, attackers, attackRatePerSecond: rate,
  answerTo64KBody: answer64k, answerTo1MBPrepareBody: answer1m, phases: results,
}, null, 2));
