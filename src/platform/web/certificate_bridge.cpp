#include "certificate_bridge.h"

#include "page_contract.h"

#include <emscripten.h>
#include <nlohmann/json.hpp>

#include <string>

static CertificateEventHandler g_handler = nullptr;

void certificate_bridge_install(CertificateEventHandler handler) { g_handler = handler; }

// The module is loaded on first use by the loader (Module[page::kModuleCertificateModule],
// web/loader.js: it knows the bundle's hashed name). One key pair and one file at a time live in
// `state`.
EM_JS(void, js_certificate_make_key_pair, (const char* module_name, unsigned seq), {
    const load = Module[UTF8ToString(module_name)];
    const state = Module.ibankCertificateState || (Module.ibankCertificateState = {});
    state.seq = seq;
    state.keyPair = null;
    state.file = null;
    const fail = (why) => { if (state.seq === seq) _ibank_certificate_event(seq, 1, 0, 0); };
    if (!window.crypto || !window.crypto.subtle || !load) { fail(); return; }
    load().then(async (m) => {
        const keyPair = await m.generateKeyPair();
        const request = await m.buildCertificationRequest(keyPair);
        if (state.seq !== seq) return;   // dropped meanwhile
        state.keyPair = keyPair;
        const bytes = new Uint8Array(request);
        let binary = "";
        for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
        const text = btoa(binary);
        const length = lengthBytesUTF8(text) + 1;
        const ptr = _malloc(length);
        stringToUTF8(text, ptr, length);
        _ibank_certificate_event(seq, 0, ptr, length - 1);
        _free(ptr);
    }).catch(() => fail());
});

// `issued` is the answer's JSON (certificate, CA certificates, file name); the import password
// is copied out of the wasm heap into a Uint8Array the module zeroes when done.
EM_JS(void, js_certificate_build_file, (const char* module_name, const char* issued_json, const char* passphrase,
                                        int passphrase_length), {
    const load = Module[UTF8ToString(module_name)];
    const state = Module.ibankCertificateState || {};
    const password = HEAPU8.slice(passphrase, passphrase + passphrase_length);
    const seq = state.seq;
    const fail = () => { password.fill(0); _ibank_certificate_event(seq, 3, 0, 0); };
    if (!state.keyPair || !load) { fail(); return; }
    const issued = JSON.parse(UTF8ToString(issued_json));
    const der = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    load().then(async (m) => {
        const file = await m.buildPkcs12({
            keyPair: state.keyPair,
            certificateDer: der(issued.certificate),
            chainDer: issued.ca_certificates.map(der),
            password: password,
            friendlyName: issued.file_name.slice(0, -4),   // "<ID><code>" without ".p12"
        });
        password.fill(0);
        if (state.seq !== seq) return;
        state.file = { bytes: new Uint8Array(file), name: issued.file_name };
        m.downloadFile(state.file.bytes, state.file.name);
        _ibank_certificate_event(seq, 2, 0, 0);
    }).catch(() => fail());
});

EM_JS(void, js_certificate_save_again, (const char* module_name), {
    const load = Module[UTF8ToString(module_name)];
    const state = Module.ibankCertificateState || {};
    if (state.file && load)
        load().then((m) => m.downloadFile(state.file.bytes, state.file.name));
});

EM_JS(void, js_certificate_discard, (), {
    const state = Module.ibankCertificateState;
    if (!state) return;
    // Dropping the CryptoKey references lets the browser free the key; the file's bytes are
    // zeroed first.
    if (state.file) state.file.bytes.fill(0);
    state.keyPair = null;
    state.file = null;
    state.seq = 0;
});

void certificate_make_key_pair(uint32_t seq) { js_certificate_make_key_pair(page::kModuleCertificateModule, seq); }

void certificate_build_file(const api::CertificateIssued& issued, const SecretBuffer& passphrase)
{
    const std::string json = api::dump_json(api::to_json(issued));
    js_certificate_build_file(page::kModuleCertificateModule, json.c_str(), passphrase.data, secret_length(passphrase));
}

void certificate_save_again() { js_certificate_save_again(page::kModuleCertificateModule); }
void certificate_discard() { js_certificate_discard(); }

// kind: 0 key pair ready (`text` the request, base64), 1 key pair failed, 2 file saved, 3 file failed.
extern "C" EMSCRIPTEN_KEEPALIVE void ibank_certificate_event(unsigned seq, int kind, const char* text, int length)
{
    if (!g_handler)
        return;
    switch (kind) {
    case 0: g_handler(flow_key_pair_ready(seq, std::string(text, static_cast<size_t>(length)))); break;
    case 1: g_handler(flow_key_pair_failed(seq, "the browser could not make the key pair")); break;
    case 2: g_handler(flow_event(FlowEventKind::FileSaved)); break;
    default: g_handler(flow_event(FlowEventKind::FileFailed)); break;
    }
}
