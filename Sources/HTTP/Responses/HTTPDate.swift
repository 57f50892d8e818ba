/// Formats HTTP-dates (IMF-fixdate, RFC 9110 section 5.6.7) such as `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// The connection formats a `Date` header for every response, so this avoids `DateFormatter`
/// (locale-dependent, allocation-heavy, and not thread-safe to share) and computes the civil date
/// from the day count directly, with Howard Hinnant's `civil_from_days` algorithm.
public enum HTTPDate {
    /// The earliest instant that still formats with a four-digit year: 0000-01-01T00:00:00Z.
    public static let earliestSecond = -62_167_219_200
    /// The latest instant that still formats with a four-digit year: 9999-12-31T23:59:59Z.
    public static let latestSecond = 253_402_300_799

    private static let dayNames: [[UInt8]] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"].map { Array($0.utf8) }
    private static let monthNames: [[UInt8]] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ].map { Array($0.utf8) }

    /// The IMF-fixdate for a count of seconds since 1970-01-01T00:00:00Z.
    ///
    /// Instants outside years 0000 to 9999 are clamped to that range, because the format has
    /// exactly four year digits; no input can make this trap.
    public static func format(secondsSince1970 seconds: Int) -> String {
        let clamped = min(max(seconds, earliestSecond), latestSecond)
        let (days, secondOfDay) = floorDivide(clamped, 86_400)
        let (year, month, day) = civilDate(fromDaysSince1970: days)
        // 1970-01-01 was a Thursday, index 0 of `dayNames`.
        let weekday = floorDivide(days, 7).remainder

        var bytes = [UInt8]()
        bytes.reserveCapacity(29)
        bytes += dayNames[weekday]
        bytes += [UInt8(ascii: ","), UInt8(ascii: " ")]
        appendDigits(day, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes += monthNames[month - 1]
        bytes.append(UInt8(ascii: " "))
        appendDigits(year, count: 4, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        appendDigits(secondOfDay / 3600, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, count: 2, to: &bytes)
        bytes += Array(" GMT".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Year, month (1...12) and day (1...31) of the proleptic Gregorian calendar.
    /// See https://howardhinnant.github.io/date_algorithms.html#civil_from_days.
    static func civilDate(fromDaysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = floorDivide(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097  // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0...365, from March 1
        let monthFromMarch = (5 * dayOfYear + 2) / 153  // 0...11
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    private static func appendDigits(_ value: Int, count: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
