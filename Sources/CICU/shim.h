#ifndef GATEHOUSE_CICU_SHIM_H
#define GATEHOUSE_CICU_SHIM_H
// ICU renames every entry point with its major version (uspoof_open becomes uspoof_open_72),
// so Swift would have to name the version. These wrappers call the unversioned names, which
// the C preprocessor maps, and take and give UTF-8 so Swift never handles UChar buffers.
#include <stdint.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

#define GATEHOUSE_ICU_MAXIMUM_UNITS 1024

/// Applies `normalizer` to UTF-8 `input`; writes UTF-8 to `output`. Returns the output length,
/// or -1 on any error (malformed UTF-8, too long).
static inline int32_t gatehouse_icu_normalize(
    const UNormalizer2 *normalizer, const char *input, int32_t inputLength, char *output, int32_t capacity, UChar *scratch
) {
    UErrorCode status = U_ZERO_ERROR;
    UChar *source = scratch;
    UChar *normalized = scratch + GATEHOUSE_ICU_MAXIMUM_UNITS;
    int32_t sourceLength = 0;
    u_strFromUTF8WithSub(source, GATEHOUSE_ICU_MAXIMUM_UNITS, &sourceLength, input, inputLength, 0xFFFD, NULL, &status);
    if (U_FAILURE(status) || sourceLength > GATEHOUSE_ICU_MAXIMUM_UNITS) return -1;
    int32_t normalizedLength = unorm2_normalize(normalizer, source, sourceLength, normalized, GATEHOUSE_ICU_MAXIMUM_UNITS, &status);
    if (U_FAILURE(status)) return -1;
    int32_t outputLength = 0;
    u_strToUTF8(output, capacity, &outputLength, normalized, normalizedLength, &status);
    if (U_FAILURE(status) || outputLength > capacity) return -1;
    return outputLength;
}

/// NFC (Unicode canonical composition) of UTF-8 `input`. `scratch` holds
/// 2 * GATEHOUSE_ICU_MAXIMUM_UNITS UChars. Returns the output length or -1.
static inline int32_t gatehouse_icu_nfc(const char *input, int32_t inputLength, char *output, int32_t capacity, UChar *scratch) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status)) return -1;
    return gatehouse_icu_normalize(nfc, input, inputLength, output, capacity, scratch);
}

/// The Unicode TR39 skeleton of NFKC_Casefold(`input`): equal for two strings that differ only
/// by case, width or confusable characters. Returns the output length or -1.
static inline int32_t gatehouse_icu_folded_skeleton(
    const char *input, int32_t inputLength, char *output, int32_t capacity, UChar *scratch
) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *fold = unorm2_getNFKCCasefoldInstance(&status);
    if (U_FAILURE(status)) return -1;
    char folded[4 * GATEHOUSE_ICU_MAXIMUM_UNITS];
    int32_t foldedLength = gatehouse_icu_normalize(fold, input, inputLength, folded, (int32_t)sizeof folded, scratch);
    if (foldedLength < 0) return -1;
    USpoofChecker *checker = uspoof_open(&status);
    if (U_FAILURE(status)) return -1;
    int32_t length = uspoof_getSkeletonUTF8(checker, 0, folded, foldedLength, output, capacity, &status);
    uspoof_close(checker);
    if (U_FAILURE(status) || length > capacity) return -1;
    return length;
}
#endif
