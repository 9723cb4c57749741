#pragma once
// The login and force-logout request bodies carry the password. They are built here, straight
// from the SecretBuffer into another fixed-size buffer that is wiped after sending, instead of
// through api::LoginRequest + nlohmann::json, whose std::string copies would leave the password
// in freed heap memory.
#include "secret_buffer.h"

#include <string_view>

// Room for {"ticket":"...","password":"..."} with the longest ticket and an escaped password.
constexpr int kSecretBodyCapacity = 512;

struct SecretBody {
    char data[kSecretBodyCapacity] = {};
    int length = 0;
};

// Writes {"ticket":<ticket>,"password":<password>} as JSON. Characters that JSON requires to be
// escaped are escaped (\" \\ and control characters as \u00XX). False (body wiped) when the
// result would not fit or the ticket holds anything but URL-safe token characters.
bool secret_login_body(std::string_view ticket, const SecretBuffer& password, SecretBody& out);

void secret_body_wipe(SecretBody& body);
