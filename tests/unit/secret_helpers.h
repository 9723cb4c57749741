#pragma once
// Test helpers for the password buffer: build one from text, read it back, check it is wiped.
#include "core/secret_buffer.h"

#include <string>

inline SecretBuffer secret_of(const char* text)
{
    SecretBuffer buf;
    for (const char* p = text; *p; p++)
        secret_append(buf, *p);
    return buf;
}

inline std::string secret_text(const SecretBuffer& buf)
{
    return std::string(buf.data, static_cast<size_t>(secret_length(buf)));
}

inline bool secret_all_zero(const SecretBuffer& buf)
{
    for (char c : buf.data)
        if (c != 0)
            return false;
    return true;
}
