import Foundation
import Testing
@testable import HTTP

@Suite struct HTTPDateTests {
    @Test(arguments: [
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT", "the example of RFC 9110"),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT", "the epoch"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT", "one second before the epoch"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT", "2000 is a leap year (divisible by 400)"),
        (951_868_800, "Wed, 01 Mar 2000 00:00:00 GMT", "the day after 29 Feb 2000"),
        (1_709_164_800, "Thu, 29 Feb 2024 00:00:00 GMT", "2024 is a leap year"),
        (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT", "2100 is not a leap year: 28 Feb is followed by 1 Mar"),
        (4_107_456_000, "Sun, 28 Feb 2100 00:00:00 GMT", "the last day of February 2100"),
        (1_735_689_599, "Tue, 31 Dec 2024 23:59:59 GMT", "last second of a leap year"),
        (2_147_483_648, "Tue, 19 Jan 2038 03:14:08 GMT", "past the 32-bit rollover"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT", "the last instant with a four-digit year"),
        (Int.max, "Fri, 31 Dec 9999 23:59:59 GMT", "huge values clamp instead of trapping"),
        (Int.min, "Sat, 01 Jan 0000 00:00:00 GMT", "hugely negative values clamp instead of trapping"),
    ])
    func formats(seconds: Int, expected: String, reason: String) {
        #expect(HTTPDate.format(secondsSince1970: seconds) == expected, "\(reason)")
    }

    /// Cross-checks every day over several centuries against Foundation's Gregorian calendar.
    @Test func agreesWithFoundationCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var firstMismatch: Int? = nil
        var day = -25_567  // 1900-01-01
        while day < 47_482, firstMismatch == nil {  // 2100-01-01
            let (year, month, dayOfMonth) = HTTPDate.civilDate(fromDaysSince1970: day)
            let date = Date(timeIntervalSince1970: Double(day) * 86_400)
            let components = calendar.dateComponents([.year, .month, .day], from: date)
            if components.year != year || components.month != month || components.day != dayOfMonth {
                firstMismatch = day
            }
            day += 1
        }
        #expect(firstMismatch == nil)
    }
}
