#include "gatehouse_icu.h"
// ICU renames every entry point with its major version (uspoof_open becomes uspoof_open_72);
// the unversioned names used here are mapped by ICU's own headers.
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

/// Applies `normalizer` to UTF-8 `input`, writing UTF-8 to `output`.
static int32_t normalize(const UNormalizer2 *normalizer, const char *input, int32_t inputLength, char *output, int32_t capacity) {
    UChar source[GATEHOUSE_ICU_MAXIMUM_UNITS];
    UChar normalized[GATEHOUSE_ICU_MAXIMUM_UNITS];
    UErrorCode status = U_ZERO_ERROR;
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

int32_t gatehouse_icu_nfc(const char *input, int32_t inputLength, char *output, int32_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status)) return -1;
    return normalize(nfc, input, inputLength, output, capacity);
}

int32_t gatehouse_icu_folded_skeleton(const char *input, int32_t inputLength, char *output, int32_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *fold = unorm2_getNFKCCasefoldInstance(&status);
    if (U_FAILURE(status)) return -1;
    char folded[4 * GATEHOUSE_ICU_MAXIMUM_UNITS];
    int32_t foldedLength = normalize(fold, input, inputLength, folded, (int32_t)sizeof folded);
    if (foldedLength < 0) return -1;
    USpoofChecker *checker = uspoof_open(&status);
    if (U_FAILURE(status)) return -1;
    int32_t length = uspoof_getSkeletonUTF8(checker, 0, folded, foldedLength, output, capacity, &status);
    uspoof_close(checker);
    if (U_FAILURE(status) || length > capacity) return -1;
    return length;
}
