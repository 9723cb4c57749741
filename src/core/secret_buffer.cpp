#include "secret_buffer.h"
#include "secure_zero.h"

#include <cstddef>

int secret_length(const SecretBuffer& buf)
{
    int n = 0;
    while (n < kSecretCapacity && buf.data[n] != 0)
        n++;
    return n;
}

bool secret_append(SecretBuffer& buf, char c)
{
    if (c == 0)
        return false;
    const int n = secret_length(buf);
    if (n >= kSecretCapacity)
        return false;
    buf.data[n] = c;
    buf.data[n + 1] = 0;
    return true;
}

bool secret_delete_last(SecretBuffer& buf)
{
    int n = secret_length(buf);
    if (n == 0)
        return false;
    // Step back over UTF-8 continuation bytes (10xxxxxx) to the first byte of the character.
    n--;
    while (n > 0 && (static_cast<unsigned char>(buf.data[n]) & 0xC0) == 0x80) {
        buf.data[n] = 0;
        n--;
    }
    buf.data[n] = 0;
    return true;
}

void secret_wipe(SecretBuffer& buf)
{
    secure_zero(buf.data, sizeof(buf.data));
}

void secret_normalise(SecretBuffer& buf)
{
    buf.data[kSecretCapacity] = 0;
    const int n = secret_length(buf);
    secure_zero(buf.data + n, static_cast<std::size_t>(kSecretCapacity + 1 - n));
}

bool secret_equal(const SecretBuffer& a, const SecretBuffer& b)
{
    unsigned char differ = 0;
    for (int i = 0; i <= kSecretCapacity; i++)
        differ = static_cast<unsigned char>(differ | (a.data[i] ^ b.data[i]));
    return differ == 0;
}
