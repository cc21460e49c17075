#!/usr/bin/env node
// Adds lockfile entries for other platforms' optional packages that this machine's registry mirror does not
// serve. npm leaves them out when it writes the lockfile, and `npm ci` then refuses the lockfile as out of sync.
// The entries carry os/cpu/libc, so `npm ci` skips them on machines they are not for. Run after `npm install`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const OS = {
  android: 'android',
  darwin: 'darwin',
  freebsd: 'freebsd',
  linux: 'linux',
  win32: 'win32',
  openbsd: 'openbsd',
  netbsd: 'netbsd',
  sunos: 'sunos',
  aix: 'aix',
  openharmony: 'openharmony',
  cygwin: 'cygwin',
};
const CPU = [
  'arm64',
  'x64',
  'ia32',
  'arm',
  'riscv64',
  'ppc64',
  's390x',
  'loong64',
  'mips64el',
  'wasm32',
  'loongarch64',
];

/** os, cpu and libc guessed from a platform package's name, e.g. @rollup/rollup-linux-x64-musl. */
function platformOf(name) {
  const words = name.split('/').pop().split('-');
  const os = words.find((w) => OS[w]);
  const cpu = words.find((w) => CPU.includes(w)) ?? (words.includes('arm') ? 'arm' : undefined);
  const libc = words.includes('musl')
    ? 'musl'
    : words.includes('gnu') || words.includes('gnueabihf')
      ? 'glibc'
      : undefined;
  return { os: os && [os], cpu: cpu && [cpu], libc: libc && [libc] };
}

function registryMeta(name, version) {
  try {
    const raw = execFileSync(
      'npm',
      ['view', `${name}@${version}`, 'os', 'cpu', 'libc', 'dist.integrity', 'license', '--json'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    return raw.trim() ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[base] || packages[`node_modules/${name}`]) continue;
    const version = spec.replace(/^[\^~=]/, '');
    const meta = registryMeta(name, version);
    const guess = platformOf(name);
    packages[`node_modules/${name}`] = {
      version,
      ...(meta?.['dist.integrity'] ? { integrity: meta['dist.integrity'] } : {}),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(meta?.license ? { license: meta.license } : {}),
      os: meta?.os ?? guess.os,
      cpu: meta?.cpu ?? guess.cpu,
      ...((meta?.libc ?? guess.libc) ? { libc: meta?.libc ?? guess.libc } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} optional platform entries`);
