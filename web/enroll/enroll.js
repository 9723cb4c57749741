// The browser's certificate module for 電子証明書取得 and 更新 (src/platform/web/certificate_bridge.cpp):
// the key pair, the certification request (PKCS#10) and the certificate file (PKCS#12) are made
// here, with WebCrypto and PKI.js, so the private key never leaves the browser except inside the
// file the customer saves. Bundled by scripts/build (esbuild) and published by
// scripts/package_web.py as enroll.<hash>.js; web/loader.js imports it only when one of these
// screens opens, so the first screen never downloads it.
import * as asn1js from 'asn1js';
import {
  Attribute,
  AuthenticatedSafe,
  CertBag,
  Certificate,
  CertificationRequest,
  PFX,
  PKCS8ShroudedKeyBag,
  PrivateKeyInfo,
  SafeBag,
  SafeContents,
} from 'pkijs';

const RSA_KEY = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([0x01, 0x00, 0x01]),   // 65537
  hash: 'SHA-256',
};

// Work factors of the file. The import password is the only protection of the private key once
// the file is on disk, so guessing it has to be expensive:
// - the key bag and the certificate bag: PBES2 with PBKDF2-HMAC-SHA256, 600,000 iterations
//   (OWASP's 2023 figure for PBKDF2-HMAC-SHA256); WebCrypto derives each in about 0.2 s in
//   headless Chromium on the 2-core test machine;
// - the MAC: the PKCS#12 key derivation (RFC 7292 appendix B) with SHA-256, which costs one
//   compression per iteration against PBKDF2's two, and a guess can be checked against it as
//   well as against the bags. PKI.js computes it in JavaScript, so it gets 600,000 iterations
//   too (about 0.5 s there): a bit cheaper per guess than the bags, still 300 times openssl's
//   default of 2,048. PBMAC1 (RFC 9579) would lift that, but OpenSSL before 3.4, NSS and
//   Windows do not read it.
// The whole file takes about 1.5 s there (tests/e2e/enroll_crypto.test.mjs reports the time).
export const PBKDF2_ITERATIONS = 600_000;
export const MAC_ITERATIONS = 600_000;

const OID = {
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
};

export function generateKeyPair() {
  // Extractable: the private key has to go into the PKCS#12 file as PKCS#8.
  return crypto.subtle.generateKey(RSA_KEY, true, ['sign', 'verify']);
}

// A DER PKCS#10 request with an empty subject (the server writes the subject itself and refuses
// a request naming anyone else), no attributes, signed with SHA-256 by the key it carries.
export async function buildCertificationRequest(keyPair) {
  const request = new CertificationRequest({ attributes: [] });
  await request.subjectPublicKeyInfo.importKey(keyPair.publicKey);
  await request.sign(keyPair.privateKey, 'SHA-256');
  return request.toSchema().toBER(false);
}

function bagAttributes(friendlyName, localKeyId) {
  const attributes = [];
  if (friendlyName)
    attributes.push(new Attribute({ type: OID.friendlyName, values: [new asn1js.BmpString({ value: friendlyName })] }));
  if (localKeyId)
    attributes.push(new Attribute({ type: OID.localKeyId, values: [new asn1js.OctetString({ valueHex: localKeyId })] }));
  return attributes;
}

// The certificate file: the private key in a shrouded key bag and the certificate with the CA
// certificates in an encrypted certificate bag, both PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC),
// under a SHA-256 HMAC - the layout of openssl 3's `pkcs12 -export`, which NSS (pk12util,
// Firefox), Windows 10 1709 and later, and current macOS import. No RC2, 3DES or SHA-1.
// `password` (UTF-8 bytes) is used in place and never copied here; the caller zeroes it.
export async function buildPkcs12({ keyPair, certificateDer, chainDer = [], password, friendlyName }) {
  if (!(password instanceof Uint8Array) || password.length === 0) throw new Error('buildPkcs12: empty password');
  const certificate = Certificate.fromBER(certificateDer);
  const chain = chainDer.map((der) => Certificate.fromBER(der));
  // The same ID on the key and its certificate pairs them when the file is imported.
  const localKeyId = await crypto.subtle.digest('SHA-256', certificateDer);

  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keyPair.privateKey));
  try {
    const encryption = () => ({
      password,
      contentEncryptionAlgorithm: { name: 'AES-CBC', length: 256 },
      hmacHashAlgorithm: 'SHA-256',
      iterationCount: PBKDF2_ITERATIONS,
    });
    const keyBag = new PKCS8ShroudedKeyBag({ parsedValue: PrivateKeyInfo.fromBER(pkcs8) });
    await keyBag.makeInternalValues(encryption());
    keyBag.parsedValue = undefined;   // only the encrypted form stays in the file's objects

    const certificateBags = [
      new SafeBag({ bagId: OID.certBag, bagValue: new CertBag({ parsedValue: certificate }),
                    bagAttributes: bagAttributes(friendlyName, localKeyId) }),
      ...chain.map((ca) => new SafeBag({ bagId: OID.certBag, bagValue: new CertBag({ parsedValue: ca }) })),
    ];
    const pfx = new PFX({
      parsedValue: {
        integrityMode: 0,   // password-based MAC
        authenticatedSafe: new AuthenticatedSafe({
          parsedValue: {
            safeContents: [
              // The key bag is encrypted itself, so its SafeContents is plain data (privacyMode 0);
              // the certificates are encrypted as a whole (privacyMode 1).
              { privacyMode: 0, value: new SafeContents({ safeBags: [
                new SafeBag({ bagId: OID.pkcs8ShroudedKeyBag, bagValue: keyBag,
                              bagAttributes: bagAttributes(friendlyName, localKeyId) }),
              ] }) },
              { privacyMode: 1, value: new SafeContents({ safeBags: certificateBags }) },
            ],
          },
        }),
      },
    });
    await pfx.parsedValue.authenticatedSafe.makeInternalValues({ safeContents: [{}, encryption()] });
    await pfx.makeInternalValues({
      password,
      iterations: MAC_ITERATIONS,
      pbkdf2HashAlgorithm: 'SHA-256',
      hmacHashAlgorithm: 'SHA-256',
    });
    return pfx.toSchema().toBER(false);
  } finally {
    pkcs8.fill(0);
  }
}

// Saves `bytes` (Uint8Array) under `name` the way a download link would.
export function downloadFile(bytes, name) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/x-pkcs12' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
    // The download reads the Blob after click() returns; some browsers (Firefox, Safari) still
    // need the URL for a moment, so it is revoked a little later, not at once.
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }
}
