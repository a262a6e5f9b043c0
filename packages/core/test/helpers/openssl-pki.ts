/** Test helper: a root -> intermediate -> leaf chain made by OpenSSL itself, for interop tests. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl } from './tools.js';

/** Key algorithms the helper can make chains for. */
export type OpensslAlg = 'rsa' | 'rsa-pss' | 'p256' | 'sm2' | 'ed25519';

/** One OpenSSL-made identity. */
export interface OpensslIdentity {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly der: Uint8Array;
}

/** A chain made by OpenSSL. */
export interface OpensslChain {
  readonly alg: OpensslAlg;
  readonly root: OpensslIdentity;
  readonly intermediate: OpensslIdentity;
  readonly leaf: OpensslIdentity;
  /** Extra `openssl` arguments to sign / verify with this algorithm (SM2: -sm3 and the distid). */
  readonly signArgs: readonly string[];
}

function genKey(alg: OpensslAlg, path: string): void {
  const args: Record<OpensslAlg, string[]> = {
    rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    'rsa-pss': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    sm2: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2'],
    ed25519: ['-algorithm', 'ED25519'],
  };
  openssl(['genpkey', ...args[alg], '-out', path]);
}

function identity(dir: string, name: string): OpensslIdentity {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  const certPem = readFileSync(certPath, 'utf8');
  const der = new Uint8Array(
    Buffer.from(certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'),
  );
  return { certPath, keyPath, certPem, keyPem: readFileSync(keyPath, 'utf8'), der };
}

/**
 * Makes root -> intermediate -> leaf with OpenSSL in `dir`. The leaf has digitalSignature +
 * nonRepudiation, AIA, CRL DP and a policy; the intermediate has pathlen 0.
 */
export function makeOpensslChain(
  dir: string,
  alg: OpensslAlg,
  options: { leafExtensions?: string } = {},
): OpensslChain {
  const signArgs =
    alg === 'sm2'
      ? ['-sm3', '-sigopt', 'distid:1234567812345678']
      : alg === 'ed25519'
        ? []
        : alg === 'rsa-pss'
          ? ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest']
          : ['-sha256'];
  const vfy = alg === 'sm2' ? ['-vfyopt', 'distid:1234567812345678'] : [];
  const p = (n: string): string => join(dir, n);
  writeFileSync(
    p('ext.cnf'),
    [
      '[req]',
      'distinguished_name=dn',
      '[dn]',
      '[root]',
      'basicConstraints=critical,CA:true',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
      '[inter]',
      'basicConstraints=critical,CA:true,pathlen:0',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      '[leaf]',
      options.leafExtensions ??
        [
          'basicConstraints=critical,CA:false',
          'keyUsage=critical,digitalSignature,nonRepudiation',
          'extendedKeyUsage=emailProtection,1.3.6.1.5.5.7.3.36',
          'subjectKeyIdentifier=hash',
          'authorityKeyIdentifier=keyid',
          'authorityInfoAccess=OCSP;URI:http://ocsp.example.test/,caIssuers;URI:http://ca.example.test/inter.cer',
          'crlDistributionPoints=URI:http://crl.example.test/inter.crl',
          'certificatePolicies=1.2.156.112559.1.1',
        ].join('\n'),
      '',
    ].join('\n'),
  );
  for (const n of ['root', 'inter', 'leaf']) genKey(alg, p(`${n}.key`));
  openssl([
    'req',
    '-new',
    '-x509',
    '-key',
    p('root.key'),
    ...signArgs,
    '-subj',
    `/C=CN/O=GovTrust OpenSSL Test/CN=${alg} Root`,
    '-utf8',
    '-days',
    '7300',
    '-set_serial',
    '1',
    '-config',
    p('ext.cnf'),
    '-extensions',
    'root',
    '-out',
    p('root.pem'),
  ]);
  const issue = (name: string, subject: string, ca: string, ext: string, serial: string): void => {
    openssl([
      'req',
      '-new',
      '-key',
      p(`${name}.key`),
      ...signArgs,
      '-subj',
      subject,
      '-utf8',
      '-config',
      p('ext.cnf'),
      '-out',
      p(`${name}.csr`),
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p(`${ca}.pem`),
      '-CAkey',
      p(`${ca}.key`),
      ...signArgs,
      ...vfy,
      '-days',
      '3650',
      '-set_serial',
      serial,
      '-extfile',
      p('ext.cnf'),
      '-extensions',
      ext,
      '-out',
      p(`${name}.pem`),
    ]);
  };
  issue('inter', `/C=CN/O=GovTrust OpenSSL Test/CN=${alg} Intermediate`, 'root', 'inter', '0x0100');
  issue('leaf', `/C=CN/O=示例单位/CN=${alg} 签章人`, 'inter', 'leaf', '0x00ff01');
  return {
    alg,
    root: identity(dir, 'root'),
    intermediate: identity(dir, 'inter'),
    leaf: identity(dir, 'leaf'),
    signArgs,
  };
}
