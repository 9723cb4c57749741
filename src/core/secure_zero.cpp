#include "secure_zero.h"

void secure_zero(void* p, std::size_t size)
{
    if (!p)
        return;
    volatile unsigned char* bytes = static_cast<volatile unsigned char*>(p);
    for (std::size_t i = 0; i < size; i++)
        bytes[i] = 0;
    // The barrier tells the optimiser the zeroed memory may be observed, so the stores stay.
    // GCC and Clang (also Emscripten's) accept this form.
    __asm__ __volatile__("" : : "r"(p) : "memory");
}
