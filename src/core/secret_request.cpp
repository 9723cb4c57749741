#include "secret_request.h"

#include "secure_zero.h"

#include <cstring>

void secret_body_wipe(SecretBody& body)
{
    secure_zero(body.data, sizeof(body.data));
    body.length = 0;
}

static bool put(SecretBody& out, char c)
{
    if (out.length >= kSecretBodyCapacity)
        return false;
    out.data[out.length++] = c;
    return true;
}

static bool put(SecretBody& out, const char* text)
{
    for (; *text; text++)
        if (!put(out, *text))
            return false;
    return true;
}

// One JSON string literal. Bytes >= 0x80 (UTF-8) pass through unchanged, as JSON allows.
static bool put_json_string(SecretBody& out, const char* text, int length)
{
    static const char kHex[] = "0123456789abcdef";
    if (!put(out, '"'))
        return false;
    for (int i = 0; i < length; i++) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        bool ok = true;
        if (c == '"' || c == '\\') {
            ok = put(out, '\\') && put(out, static_cast<char>(c));
        } else if (c < 0x20) {
            ok = put(out, "\\u00") && put(out, kHex[c >> 4]) && put(out, kHex[c & 15]);
        } else {
            ok = put(out, static_cast<char>(c));
        }
        if (!ok)
            return false;
    }
    return put(out, '"');
}

bool secret_login_body(std::string_view ticket, const SecretBuffer& password, SecretBody& out)
{
    secret_body_wipe(out);
    // Tickets are URL-safe tokens; anything else is not a ticket the server issued.
    for (char c : ticket) {
        const bool token_char = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_' || c == '.' || c == '~';
        if (!token_char)
            return false;
    }
    const bool ok = put(out, "{\"ticket\":")
        && put_json_string(out, ticket.data(), static_cast<int>(ticket.size()))
        && put(out, ",\"password\":")
        && put_json_string(out, password.data, secret_length(password))
        && put(out, '}');
    if (!ok)
        secret_body_wipe(out);
    return ok;
}

bool secret_enroll_body(std::string_view user_id, const SecretBuffer& code, std::string_view csr, SecretBody& out)
{
    secret_body_wipe(out);
    for (char c : user_id) {
        const bool id_char = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
            || c == '_' || c == '-';
        if (!id_char)
            return false;
    }
    for (char c : csr) {
        const bool base64_char = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
            || c == '/' || c == '=';
        if (!base64_char)
            return false;
    }
    const bool ok = user_id.size() <= api::kMaxUserIdBytes && csr.size() <= api::kMaxCsrBase64Bytes
        && put(out, "{\"user_id\":") && put_json_string(out, user_id.data(), static_cast<int>(user_id.size()))
        && put(out, ",\"code\":") && put_json_string(out, code.data, secret_length(code))
        && put(out, ",\"csr\":") && put_json_string(out, csr.data(), static_cast<int>(csr.size()))
        && put(out, '}');
    if (!ok)
        secret_body_wipe(out);
    return ok;
}
