#pragma once
// Which message an error screen shows: one per failure, and for ErrorUnavailable one per
// reason it was reached (the retry is the same, the advice is not).

#include "screen_flow.h"
#include "ui_strings.h"

StringId error_text(Screen screen, FailureKind failure);
