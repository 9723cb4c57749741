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
