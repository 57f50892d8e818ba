#ifndef GATEHOUSE_ICU_H
#define GATEHOUSE_ICU_H
// The two ICU transformations matching needs, behind plain C functions. No ICU type appears
// here: Swift's Foundation carries its own ICU (_FoundationICU) whose headers declare the same
// names differently, and a module that saw both would not compile. ICU stays inside icu.c.
#include <stdint.h>

/// The longest input, in UTF-16 units, either function takes.
#define GATEHOUSE_ICU_MAXIMUM_UNITS 1024

/// NFC (Unicode canonical composition) of UTF-8 `input`, written as UTF-8 to `output`.
/// Returns the output length, or -1 on any error (malformed input, too long, output too small).
int32_t gatehouse_icu_nfc(const char *input, int32_t inputLength, char *output, int32_t capacity);

/// The Unicode TR39 confusable skeleton of NFKC_Casefold(`input`): equal for two strings that
/// differ only by case, width or confusable characters. Returns the output length or -1.
int32_t gatehouse_icu_folded_skeleton(const char *input, int32_t inputLength, char *output, int32_t capacity);
#endif
