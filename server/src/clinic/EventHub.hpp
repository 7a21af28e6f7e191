#pragma once
// Server-sent event streams of the clinic: clinicians' dashboards (one clinic each) and waiting
// patients (one wait each). Formats and fans out events; streams whose client went away are
// dropped at the next send or Ping. Thread-safe.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/HttpTypes.hpp"

namespace medicall::clinic {

class EventHub {
 public:
  // "event: <name>\ndata: <json>\n\n"
  static std::string Format(const std::string& event, const nlohmann::json& data);

  void AddClinician(const std::string& userId, const std::string& clinic,
                    std::shared_ptr<ResponseStream> stream);
  void AddPatient(const std::string& waitId, const std::string& sessionHash,
                  std::shared_ptr<ResponseStream> stream);

  // Every clinician stream of `clinic` gets `event` with the data `dataFor(userId)` builds.
  void PublishToClinic(const std::string& clinic, const std::string& event,
                       const std::function<nlohmann::json(const std::string& userId)>& dataFor);
  void SendToPatient(const std::string& waitId, const std::string& event, const nlohmann::json& data);
  // Ends the wait's streams (after a final event).
  void ClosePatient(const std::string& waitId);
  // A comment line on every stream (keeps proxies from closing idle streams, finds dead ones);
  // returns the session hashes of patients whose stream is open.
  std::vector<std::string> Ping();
  size_t StreamCount();

 private:
  struct ClinicianStream {
    std::string userId;
    std::string clinic;
    std::shared_ptr<ResponseStream> stream;
  };
  struct PatientStream {
    std::string waitId;
    std::string sessionHash;
    std::shared_ptr<ResponseStream> stream;
  };
  void PruneLocked();

  std::mutex mutex_;
  std::vector<ClinicianStream> clinicians_;
  std::vector<PatientStream> patients_;
};

}  // namespace medicall::clinic
