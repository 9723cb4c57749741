#pragma once
// The bridge to the page's certificate module (web/enroll/, bundled into its own content-hashed
// file and loaded only when a certificate screen asks for it): the browser makes the key pair
// with WebCrypto, the PKCS#10 request and the PKCS#12 file, and saves the file. The private key
// stays inside that module; C++ sees the request, the issued certificate and nothing else, and
// hands the import password across as bytes that are zeroed on both sides once used.
#include "core/protocol.h"
#include "core/screen_flow.h"
#include "core/secret_buffer.h"

#include <cstdint>

// Where the module's answers go: KeyPairReady / KeyPairFailed / FileSaved / FileFailed events.
using CertificateEventHandler = void (*)(const FlowEvent& event);
void certificate_bridge_install(CertificateEventHandler handler);

// Key pair #seq (any earlier one is dropped) and its request.
void certificate_make_key_pair(uint32_t seq);
// The PKCS#12 file of the key and `issued` under `passphrase`, saved as issued.file_name.
void certificate_build_file(const api::CertificateIssued& issued, const SecretBuffer& passphrase);
void certificate_save_again();
void certificate_discard();
