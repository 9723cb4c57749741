// Prints the page's generated JavaScript constants (`js`) or CSS colours (`css`) to stdout.
// Run at build time (src/platform/web/CMakeLists.txt, under node in the Emscripten build).
#include "web_contract.h"

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv)
{
    std::string text;
    if (argc == 2 && std::strcmp(argv[1], "js") == 0)
        text = page_contract_js();
    else if (argc == 2 && std::strcmp(argv[1], "css") == 0)
        text = page_theme_css();
    else {
        std::fprintf(stderr, "usage: web_contract_gen js|css\n");
        return 2;
    }
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
        std::fprintf(stderr, "web_contract_gen: could not write the output\n");
        return 1;
    }
    return 0;
}
