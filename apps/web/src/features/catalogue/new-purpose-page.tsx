import { Link, useNavigate } from 'react-router';
import { ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { CatalogueNav } from './catalogue-nav.tsx';
import { NEW_PURPOSE } from './catalogue.schema.ts';
import { PurposeForm } from './purpose-form.tsx';
import { useFields } from './use-catalogue.ts';

export function NewPurposePage() {
  const navigate = useNavigate();
  const fields = useFields();
  return (
    <>
      <title>New purpose · Catalogue · Zweck</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/catalogue/purposes">Catalogue</Link> <span aria-hidden="true">/</span> <span aria-current="page">New purpose</span>
      </nav>
      <PageHeader
        title="New purpose"
        subtitle="Name the purpose, choose its legal basis before any processing starts, and say which channels and fields it may use. Add the wording people agree to once it is saved."
      />
      <CatalogueNav />
      {fields.isPending ? (
        <Loading label="Loading the field catalogue…" />
      ) : fields.isError ? (
        <ErrorNotice title="The field catalogue could not be loaded" error={fields.error} onRetry={() => void fields.refetch()} />
      ) : (
        <div className="form-card">
          <PurposeForm
            initial={NEW_PURPOSE}
            fields={fields.data}
            consentEventCount={0}
            onSaved={(purpose) => navigate(`/catalogue/purposes/${purpose.id}`)}
            onCancel={() => void navigate('/catalogue/purposes')}
          />
        </div>
      )}
    </>
  );
}
