import Foundation

extension Thread {
    /// Starts the thread with every signal blocked (a new thread inherits the mask of the one
    /// that starts it), so SIGTERM and SIGINT stay pending for the thread in
    /// `ShutdownSignals.wait`, whichever thread started the server.
    public func startWithSignalsBlocked() {
        var everySignal = sigset_t()
        var previousMask = sigset_t()
        sigfillset(&everySignal)
        pthread_sigmask(SIG_BLOCK, &everySignal, &previousMask)
        start()
        pthread_sigmask(SIG_SETMASK, &previousMask, nil)
    }
}
