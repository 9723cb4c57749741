#pragma once
// Small text helpers for HTTP header values (media types, encodings, header lists), where
// names are ASCII and case-insensitive and list items carry optional blanks.
#include <string>

// ASCII lower case (header names and tokens are ASCII).
std::string ascii_lower(std::string s);

// Without leading and trailing spaces and tabs.
std::string trim_blanks(const std::string& s);

// A-Z a-z 0-9 . _ - : the characters of the names that travel into log lines, headers and
// certificate names as they are (user IDs, request IDs).
bool is_plain_name_char(char c);
