// Records to journald, one entry each (sd_journal_sendv), with the fields of
// record_journal_fields: journalctl MESSAGE_ID=… or EXECMOND_UNIT=… finds them.
#pragma once

#include "records/record_output.h"

namespace execmond {

class JournalOutput final : public RecordOutput {
 public:
  // Fails when journald does not take the entry or is not running (its
  // socket missing, where sd_journal_sendv would drop the entry quietly).
  Status write(const ExitRecord& record) override;
};

}  // namespace execmond
