#pragma once
// The one way the product wipes a secret (a password, a request body that held one) from memory.

#include <cstddef>

// Zeroes `size` bytes at `p` with writes the compiler may not remove, even when nothing reads the
// memory again (a plain memset before free is dead code to the optimiser).
void secure_zero(void* p, std::size_t size);
