#include "clinic/EventHub.hpp"

namespace medicall::clinic {

std::string EventHub::Format(const std::string& event, const nlohmann::json& data) {
  return "event: " + event + "\ndata: " + DumpJson(data) + "\n\n";
}

void EventHub::PruneLocked() {
  std::erase_if(clinicians_, [](const ClinicianStream& s) { return s.stream->Closed(); });
  std::erase_if(patients_, [](const PatientStream& s) { return s.stream->Closed(); });
}

void EventHub::AddClinician(const std::string& userId, const std::string& clinic,
                            std::shared_ptr<ResponseStream> stream) {
  std::lock_guard lock(mutex_);
  PruneLocked();
  clinicians_.push_back({userId, clinic, std::move(stream)});
}

void EventHub::AddPatient(const std::string& waitId, const std::string& sessionHash,
                          std::shared_ptr<ResponseStream> stream) {
  std::lock_guard lock(mutex_);
  PruneLocked();
  patients_.push_back({waitId, sessionHash, std::move(stream)});
}

void EventHub::PublishToClinic(const std::string& clinic, const std::string& event,
                               const std::function<nlohmann::json(const std::string& userId)>& dataFor) {
  std::vector<ClinicianStream> targets;
  {
    std::lock_guard lock(mutex_);
    PruneLocked();
    for (const auto& s : clinicians_)
      if (s.clinic == clinic) targets.push_back(s);
  }
  for (const auto& s : targets) s.stream->Send(Format(event, dataFor(s.userId)));
}

void EventHub::SendToPatient(const std::string& waitId, const std::string& event,
                             const nlohmann::json& data) {
  const std::string bytes = Format(event, data);
  std::lock_guard lock(mutex_);
  PruneLocked();
  for (const auto& s : patients_)
    if (s.waitId == waitId) s.stream->Send(bytes);
}

void EventHub::ClosePatient(const std::string& waitId) {
  std::lock_guard lock(mutex_);
  for (const auto& s : patients_)
    if (s.waitId == waitId) s.stream->Close();
}

std::vector<std::string> EventHub::Ping() {
  std::lock_guard lock(mutex_);
  PruneLocked();
  std::vector<std::string> open;
  for (const auto& s : clinicians_) s.stream->Send(": ping\n\n");
  for (const auto& s : patients_) {
    s.stream->Send(": ping\n\n");
    open.push_back(s.sessionHash);
  }
  return open;
}

size_t EventHub::StreamCount() {
  std::lock_guard lock(mutex_);
  PruneLocked();
  return clinicians_.size() + patients_.size();
}

}  // namespace medicall::clinic
