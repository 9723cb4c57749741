#pragma once
// Which message an error screen shows: one per failure, and for ErrorUnavailable one per
// reason it was reached (the retry is the same, the advice is not).

#include "screen_flow.h"
#include "ui_strings.h"

// `code`: the server's error behind the screen (FlowState::last_error); ErrorCertificateRequest
// tells a weak key and a request naming someone else apart from a key the browser could not make.
StringId error_text(Screen screen, FailureKind failure, api::ErrorCode code);
