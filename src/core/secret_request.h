#pragma once
// The login and force-logout request bodies carry the password. They are built here, straight
// from the SecretBuffer into another fixed-size buffer that is wiped after sending, instead of
// through api::LoginRequest + nlohmann::json, whose std::string copies would leave the password
// in freed heap memory.
#include "protocol.h"
#include "secret_buffer.h"

#include <string_view>

// Room for the largest body the server takes: {"user_id":..,"code":..,"csr":..} with the longest
// request (the login body is far smaller).
constexpr int kSecretBodyCapacity = static_cast<int>(api::kMaxBodyBytes);

struct SecretBody {
    char data[kSecretBodyCapacity] = {};
    int length = 0;
};

// Writes {"ticket":<ticket>,"password":<password>} as JSON. Characters that JSON requires to be
// escaped are escaped (\" \\ and control characters as \u00XX). False (body wiped) when the
// result would not fit or the ticket holds anything but URL-safe token characters.
bool secret_login_body(std::string_view ticket, const SecretBuffer& password, SecretBody& out);

// Writes {"user_id":<id>,"code":<code>,"csr":<csr>} (the enroll request, api::EnrollRequest) with
// the 取得用パスワード straight from its buffer. False (body wiped) when the ID holds characters a
// user ID never has, the request is not base64 text, or the result would not fit.
bool secret_enroll_body(std::string_view user_id, const SecretBuffer& code, std::string_view csr_base64, SecretBody& out);

void secret_body_wipe(SecretBody& body);
