import Testing
@testable import SlotsiteAuth

struct CalendarSecretTests {
    @Test func aSecretDependsOnKeyAccountAndGeneration() {
        let key = [UInt8](repeating: 7, count: 32)
        let a = CalendarSecret.derive(key: key, userID: 1, generation: 1)
        #expect(a == CalendarSecret.derive(key: key, userID: 1, generation: 1), "the account page can show it again")
        #expect(a.value.utf8.count == 43 && SessionToken(cookieValue: a.value) == a)
        let others = [CalendarSecret.derive(key: key, userID: 1, generation: 2), CalendarSecret.derive(key: key, userID: 2, generation: 1),
                      CalendarSecret.derive(key: [UInt8](repeating: 8, count: 32), userID: 1, generation: 1)]
        #expect(Set(others.map(\.value) + [a.value]).count == 4)
        #expect(a.storageHash.count == 32 && a.storageHash != Array(a.value.utf8))
        #expect(CalendarSecret.newKey() != CalendarSecret.newKey())
    }

    @Test func digestsAreSHA256() {
        #expect(SessionToken.digest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
