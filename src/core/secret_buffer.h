#pragma once
// The login password's only home in the web app: a fixed-size buffer that is wiped, not freed.
//
// A std::string would reallocate as the customer types and leave copies of the password in freed
// heap memory that nothing ever clears. This buffer never moves and never grows; it is zeroed with
// writes the compiler may not remove (secret_wipe) whenever the screen flow says so - on submit,
// on cancel and on every screen change (see EffectKind::WipePassword in screen_flow.h).
//
// Two kinds of editor use it:
//   - Dear ImGui's InputText edits `data` in place: pass `data` and `sizeof(data)` (the size
//     includes the terminating zero, so ImGui stops at kSecretCapacity bytes).
//   - the software keyboard edits it with secret_append / secret_delete_last / secret_clear.
// The length is therefore never cached: secret_length() counts up to the terminating zero, so
// an in-place edit can never leave a stale length behind.

#include "protocol.h"

constexpr int kSecretCapacity = static_cast<int>(api::kMaxPasswordBytes);   // bytes of password text

struct SecretBuffer {
    char data[kSecretCapacity + 1] = {};   // always zero-terminated; bytes after the text are zero
};

// Bytes of text in the buffer (0..kSecretCapacity).
int secret_length(const SecretBuffer& buf);

// Appends one byte. False (buffer unchanged) when the buffer is full or `c` is the zero byte.
bool secret_append(SecretBuffer& buf, char c);

// Removes the last character (a whole UTF-8 sequence, in case a physical keyboard typed one).
// False when the buffer is already empty.
bool secret_delete_last(SecretBuffer& buf);

// Whether both hold the same text (the import password and its confirmation). Reads every
// byte, so the time does not tell where they differ.
bool secret_equal(const SecretBuffer& a, const SecretBuffer& b);

// Zeroes every byte of the buffer, including bytes past the text that an editor may have
// touched. Uses volatile writes plus a compiler barrier, so it is not optimised away even when
// the buffer is not read again (the reason memset alone is not enough).
void secret_wipe(SecretBuffer& buf);

// Re-establishes the invariants after an in-place editor wrote into `data`: the final byte is
// the terminator and every byte after the text is zero (so a shortened text leaves no tail).
void secret_normalise(SecretBuffer& buf);
